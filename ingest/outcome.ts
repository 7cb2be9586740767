// What happened to a batch (or, summed, to a whole replay): the numbers the replay summary,
// the metrics and the tests read.
export interface TypeCounts {
  accepted: number;
  duplicate: number;
}

export interface IngestOutcome {
  /** Messages handled (a redelivered message counts again). */
  messages: number;
  /** Valid events stored for the first time. */
  accepted: number;
  /** Valid events whose eventId was already stored (or appeared earlier in the same batch). */
  duplicate: number;
  /** Refused messages recorded for the first time. */
  deadLettered: number;
  /** Refused messages already recorded (the same bytes seen before). */
  deadLetterDuplicate: number;
  byType: Record<string, TypeCounts>;
  /** New dead letters by the field that was wrong. */
  deadLetterFields: Record<string, number>;
}

export function emptyOutcome(): IngestOutcome {
  return { messages: 0, accepted: 0, duplicate: 0, deadLettered: 0, deadLetterDuplicate: 0, byType: {}, deadLetterFields: {} };
}

export function countType(o: IngestOutcome, type: string, key: keyof TypeCounts): void {
  const t = (o.byType[type] ??= { accepted: 0, duplicate: 0 });
  t[key]++;
  o[key]++;
}

/** Adds `b` into `a`. */
export function addOutcome(a: IngestOutcome, b: IngestOutcome): IngestOutcome {
  a.messages += b.messages;
  a.accepted += b.accepted;
  a.duplicate += b.duplicate;
  a.deadLettered += b.deadLettered;
  a.deadLetterDuplicate += b.deadLetterDuplicate;
  for (const [type, c] of Object.entries(b.byType)) {
    const t = (a.byType[type] ??= { accepted: 0, duplicate: 0 });
    t.accepted += c.accepted;
    t.duplicate += c.duplicate;
  }
  for (const [field, n] of Object.entries(b.deadLetterFields)) a.deadLetterFields[field] = (a.deadLetterFields[field] ?? 0) + n;
  return a;
}
