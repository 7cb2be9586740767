// For integration tests: deletes the Kafka topics this test process made, so repeated local runs do
// not pile topics up on the broker. uniqueName() puts the pid in every name; a vitest fork is one
// test file, so other files running at the same time keep theirs.
import kafkajs from 'kafkajs';

export async function deleteOwnTopics(brokers: string[]): Promise<void> {
  if (brokers.length === 0) return;
  const admin = new kafkajs.Kafka({ clientId: 'quanguard-test-cleanup', brokers, logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const mine = (await admin.listTopics()).filter((t) => t.includes(`_${process.pid}_`));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine, timeout: 20_000 });
  } finally {
    await admin.disconnect();
  }
}
