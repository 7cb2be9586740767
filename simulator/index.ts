// The simulator's programmatic API, for benchmarks and tests that do not go through the CLI.
export { simulate, simulateToDir, type Simulation, type SimulationStats } from './simulate.ts';
export { SCALES, type Scale, type SimulateOptions } from './options.ts';
export { evaluate, formatReport, flagsFileSchema, labelsFileSchema, type EvalReport, type ScoreRow } from './evaluate.ts';
export type { Labels, Variant } from './labels.ts';
