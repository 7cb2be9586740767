// Where windowed features live. One interface, a memory and a Redis implementation, one contract
// suite (store.contract.ts). A call records the event's contributions and reads the windows that
// end at the event's own time, in one step (one round trip on Redis).

export interface FeatureOp {
  /** Feature name: the namespace of the state. */
  ns: string;
  /** Entity key (a user id, a device id, "merchant>user" …), or with `entityTail` its head. */
  entity: string;
  /**
   * Pair kinds (merchant×user, merchant×amount): the key is `${entity}>${entityTail}`, given in
   * parts so that the memory store numbers a pair without a string built per event (a rope it
   * then hashed through a copy and kept). A store that keys by string builds it.
   */
  entityTail?: string | number;
  kind: 'sum' | 'distinct';
  /** Bucket width in ms and number of buckets: the window spans `bucketMs * buckets`. */
  bucketMs: number;
  buckets: number;
  /** For sum: what this event adds (1 for a count); NaN adds nothing. */
  add: number;
  /** For distinct: the member this event brings (undefined adds nothing). */
  member?: string;
  /**
   * What kind of key `entity` and `member` are (user, ip24 …). Optional: the memory store numbers
   * keys once per kind for every feature of that kind; without it, once per feature name.
   */
  entityKind?: string;
  memberKind?: string;
}

export interface ApplyOptions {
  /** false: read as if the event were recorded, write nothing (shadow, backtest what-if). */
  record: boolean;
  /** The event's id: a second call with the same id writes nothing (redelivery). */
  dedupId?: string;
}

export interface FeatureStore {
  readonly backend: 'memory' | 'redis';
  /** Values in op order, each including the event itself. */
  apply(ops: readonly FeatureOp[], atMs: number, opts: ApplyOptions): Promise<Float64Array>;
  close(): Promise<void>;
}
