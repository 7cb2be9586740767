// A stable key -> partition hash for the embedded bus: the same key always lands on the same
// partition, so one user's or one merchant's messages keep their order. FNV-1a is enough here
// (the Kafka bus uses the Java-compatible murmur2 of kafkajs, because other Kafka clients must agree).
export function partitionFor(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}
