// Ground truth beside the events: which users and merchants are fraudulent and how blatantly.
// `users` and `merchants` are exactly the contract's labels.json; the other keys are extensions
// that eval reads when present (background entities, population sizes for false-positive rates).
import type { FraudType } from '../core/events.ts';

export type Variant = 'blatant' | 'subtle';

export interface Labels {
  users: Record<string, FraudType>;
  merchants: Record<string, FraudType>;
  variants?: { users: Record<string, Variant>; merchants: Record<string, Variant> };
  /** Devices that only fraud used (farm phones, a fraudster's shared phone). */
  devices?: Record<string, FraudType>;
  /** Legitimate entities mapped from the real Tianchi claims. */
  background?: { users: string[]; merchants: string[] };
  /** How many users and merchants exist in total (fraud, simulated honest and background). */
  population?: { users: number; merchants: number };
  generator?: Record<string, unknown>;
}

export class LabelBook {
  readonly users: Record<string, FraudType> = {};
  readonly merchants: Record<string, FraudType> = {};
  readonly userVariants: Record<string, Variant> = {};
  readonly merchantVariants: Record<string, Variant> = {};
  readonly devices: Record<string, FraudType> = {};
  readonly backgroundUsers: string[] = [];
  readonly backgroundMerchants: string[] = [];

  user(id: string, type: FraudType, variant: Variant): void {
    this.users[id] = type;
    this.userVariants[id] = variant;
  }

  merchant(id: string, type: FraudType, variant: Variant): void {
    this.merchants[id] = type;
    this.merchantVariants[id] = variant;
  }

  device(id: string, type: FraudType): void {
    this.devices[id] = type;
  }

  toJSON(population: { users: number; merchants: number }, generator: Record<string, unknown>): Labels {
    return {
      users: this.users,
      merchants: this.merchants,
      variants: { users: this.userVariants, merchants: this.merchantVariants },
      devices: this.devices,
      background: { users: this.backgroundUsers, merchants: this.backgroundMerchants },
      population,
      generator,
    };
  }
}
