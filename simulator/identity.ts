// Synthetic people: GB 11643-valid identity numbers, mobile numbers and bank cards that exist only
// long enough to be hashed with the program's secret. Raw values never leave this module.
import { nationalIdCheckChar } from '../core/pii.ts';
import type { Rng } from '../core/rng.ts';
import { FastHmac } from './hmac.ts';

/** Major bank and UnionPay debit/credit BINs accepted by the campaign (支付立减). */
export const CARD_BINS = ['622848', '621700', '622202', '621661', '622588', '622262', '621799', '623668', '625907', '622609'] as const;

export interface Identity {
  idHash: string;
  phoneHash: string;
}

export interface Card {
  bin: string;
  hash: string;
  /** `"cardBin":…,"cardHash":…,` as bytes, made at the card's first redemption and reused. */
  json?: Uint8Array;
}

/**
 * Which part of the 3-digit sequence space (the 15th-17th digits after area and birth date) a
 * factory numbers people in. Shards generate people independently, so each gets its own part and
 * two distinct people never share an identity number, as in reality; the same person on several
 * accounts is always made by reusing one Identity.
 */
export interface SequenceSlot {
  index: number;
  of: number;
}

export class IdentityFactory {
  private readonly hmac: FastHmac;
  /** Numbers handed out per area + birth date in this factory's slot. */
  private readonly used = new Map<string, number>();
  private readonly width: number;
  private readonly base: number;
  constructor(private readonly rng: Rng, secret: string, slot: SequenceSlot = { index: 0, of: 1 }) {
    if (!(slot.of >= 1 && slot.of <= 1000 && slot.index >= 0 && slot.index < slot.of)) throw new Error(`simulate: identity slot ${slot.index} of ${slot.of} is out of range`);
    this.hmac = new FastHmac(secret);
    this.width = Math.floor(1000 / slot.of);
    this.base = slot.index * this.width;
  }

  /** A person born 1950-2005, registered in the given administrative area. */
  person(adminCode: string): Identity {
    return { idHash: this.hmac.hex(this.nationalId(adminCode)), phoneHash: this.phoneHash() };
  }

  nationalId(adminCode: string): string {
    const rng = this.rng;
    for (;;) {
      const y = rng.int(1950, 2005), m = rng.int(1, 12), d = rng.int(1, 28);
      const born = `${adminCode}${y}${pad2(m)}${pad2(d)}`;
      const n = this.used.get(born) ?? 0;
      // This birth date's numbers in our slot are all given out (rare): draw another date.
      if (n >= this.width) continue;
      this.used.set(born, n + 1);
      const first17 = born + (this.base + n).toString().padStart(3, '0');
      return first17 + nationalIdCheckChar(first17);
    }
  }

  phoneHash(prefixes: readonly string[] = MOBILE_PREFIXES): string {
    const raw = this.rng.pick(prefixes) + this.rng.int(0, 99_999_999).toString().padStart(8, '0');
    return this.hmac.hex(raw);
  }

  card(): Card {
    const bin = this.rng.pick(CARD_BINS);
    const raw = bin + this.rng.int(0, 9_999_999_999).toString().padStart(10, '0') + this.rng.int(0, 999).toString().padStart(3, '0');
    return { bin, hash: this.hmac.hex(raw) };
  }

  /** A hashed bank settlement account or other opaque identifier. */
  opaqueHash(label: string): string {
    return this.hmac.hex(`${label}:${this.rng.hex(20)}`);
  }
}

const MOBILE_PREFIXES = ['134', '135', '136', '137', '138', '139', '150', '151', '152', '157', '158', '159', '182', '187', '188', '130', '131', '132', '155', '156', '185', '186', '133', '153', '177', '180', '181', '189', '199'];
/** Virtual-operator ranges, popular with account farms. */
export const VIRTUAL_PREFIXES = ['170', '171', '165', '167'] as const;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

// Residential broadband and mobile ranges of Jiangsu carriers (first two octets); data-centre
// ranges of the big clouds are where blatant farms run.
const HOME_NETS = ['180.111', '180.110', '114.222', '114.229', '49.77', '58.240', '221.231', '121.237'];
const MOBILE_NETS = ['117.136', '117.137', '112.2', '112.3', '223.104', '39.144'];
export const DATACENTER_NETS = ['47.104', '120.26', '106.52', '139.196', '118.89'] as const;

export function homeIp(rng: Rng): string {
  return `${rng.pick(HOME_NETS)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

/** Carrier-grade NAT: a small pool of mobile exits shared by many honest people. */
export function mobileIpPool(rng: Rng, size: number): string[] {
  const pool: string[] = [];
  for (let i = 0; i < size; i++) pool.push(`${rng.pick(MOBILE_NETS)}.${rng.int(0, 255)}.${rng.int(1, 254)}`);
  return pool;
}

const MODELS = [
  'iPhone; CPU iPhone OS 17_5 like Mac OS X',
  'iPhone; CPU iPhone OS 16_6 like Mac OS X',
  'Linux; Android 14; V2309A Build/UP1A.231005.007; wv',
  'Linux; Android 13; 22081212C Build/TKQ1.220829.002; wv',
  'Linux; Android 12; ANA-AN00 Build/HUAWEIANA-AN00; wv',
  'Linux; Android 14; PJZ110 Build/UKQ1.230924.001; wv',
  'Linux; Android 10; M2006C3LC Build/QP1A.190711.020; wv',
];
const APPS = ['AlipayClient/10.6.10', 'MicroMessenger/8.0.47', 'UnionPay/1.0 CloudPay', 'LygConsume/3.2.1'];

export function mobileUserAgent(rng: Rng): string {
  const model = rng.pick(MODELS);
  const engine = model.startsWith('iPhone')
    ? 'AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148'
    : `AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/${rng.int(100, 124)}.0.0.0 Mobile Safari/537.36`;
  return `Mozilla/5.0 (${model}) ${engine} ${rng.pick(APPS)}`;
}

export const AUTOMATION_USER_AGENTS = [
  'okhttp/4.9.3',
  'python-requests/2.31.0',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.6099.109 Safari/537.36',
  'Dalvik/2.1.0 (Linux; U; Android 7.1.2; SM-G955N Build/N2G48H)',
] as const;
