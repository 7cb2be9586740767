// Where things are: the six districts of Lianyungang at their real centres, and the few
// distance helpers the simulator needs. Spreads are rough urban/rural radii, not survey data.
import type { District } from '../core/events.ts';
import type { Rng } from '../core/rng.ts';

export interface DistrictGeo {
  district: Exclude<District, 'other'>;
  nameZh: string;
  lat: number;
  lon: number;
  /** Standard deviation of a resident's offset from the centre, degrees. */
  spreadDeg: number;
  /** Share of the city's residents (and, roughly, of its shops). */
  weight: number;
  /** Administrative code prefix used in GB 11643 identity numbers. */
  adminCode: string;
}

export const DISTRICT_GEO: readonly DistrictGeo[] = [
  { district: 'haizhou', nameZh: '海州', lat: 34.572, lon: 119.173, spreadDeg: 0.04, weight: 0.3, adminCode: '320706' },
  { district: 'lianyun', nameZh: '连云', lat: 34.75, lon: 119.372, spreadDeg: 0.03, weight: 0.1, adminCode: '320703' },
  { district: 'ganyu', nameZh: '赣榆', lat: 34.842, lon: 119.128, spreadDeg: 0.045, weight: 0.18, adminCode: '320707' },
  { district: 'donghai', nameZh: '东海', lat: 34.542, lon: 118.772, spreadDeg: 0.05, weight: 0.17, adminCode: '320722' },
  { district: 'guanyun', nameZh: '灌云', lat: 34.284, lon: 119.239, spreadDeg: 0.05, weight: 0.14, adminCode: '320723' },
  { district: 'guannan', nameZh: '灌南', lat: 34.09, lon: 119.352, spreadDeg: 0.045, weight: 0.11, adminCode: '320724' },
];

const WEIGHTS = DISTRICT_GEO.map((d) => d.weight);

export function pickDistrict(rng: Rng): DistrictGeo {
  return rng.weighted(DISTRICT_GEO, WEIGHTS);
}

export function districtGeo(d: District): DistrictGeo {
  return DISTRICT_GEO.find((g) => g.district === d) ?? DISTRICT_GEO[0]!;
}

/** A point around a district centre; `tightness` < 1 pulls it towards the centre (shops). */
export function pointIn(rng: Rng, g: DistrictGeo, tightness = 1): { lat: number; lon: number } {
  return { lat: round6(g.lat + rng.normal(0, g.spreadDeg * tightness)), lon: round6(g.lon + rng.normal(0, g.spreadDeg * tightness)) };
}

const KM_PER_DEG_LAT = 111.2;

/** A point `km` away from (lat, lon) in a random direction. */
export function offsetKm(rng: Rng, lat: number, lon: number, km: number): { lat: number; lon: number } {
  const bearing = rng.next() * 2 * Math.PI;
  const dLat = (km * Math.cos(bearing)) / KM_PER_DEG_LAT;
  const dLon = (km * Math.sin(bearing)) / (KM_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180));
  return { lat: round6(lat + dLat), lon: round6(lon + dLon) };
}

/** Equirectangular distance, km: accurate to well under 1% at city scale. */
export function distanceKm(aLat: number, aLon: number, bLat: number, bLon: number): number {
  const x = (bLon - aLon) * Math.cos(((aLat + bLat) * Math.PI) / 360);
  const y = bLat - aLat;
  return Math.sqrt(x * x + y * y) * KM_PER_DEG_LAT;
}

export function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
