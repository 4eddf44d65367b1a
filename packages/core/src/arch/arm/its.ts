// GICv3 ITS translation tables and GICv4 virtual pending tables as typed arrays (semantics §A.8; GICv3:ITS
// commands; K:vgic-its.c for the emulated ITS, K:its-drv for the host GICv4 ITS). One ItsTables instance models
// one ITS: the Device Table (DeviceID → ITT), the ITTs (EventID → physical LPI + ICID, or vLPI + vPEID
// [+ GICv4.0 per-vLPI doorbell]), the Collection Table (ICID → target), the vPE Table (vPEID → redistributor),
// the LPI property table with its cached copy (changes take effect only at INV/INVALL), one virtual pending
// table (VPT) per vPE, and a small translation cache. Commands return 1 if performed, 0 if ignored.

export const LPI_PROP_ENABLE = 1;
export const LPI_PROP_RES1 = 2;
/** K:vgic-its.c LPI_PROP_PRIORITY: priority = byte & 0xfc (the low two priority bits are always 0). */
export const lpiPropPriority = (b: number): number => b & 0xfc;
export const lpiPropEnabled = (b: number): boolean => (b & LPI_PROP_ENABLE) !== 0;

export const LPI_MIN = 8192;
/** GICv4.0 "no doorbell" pINTID in VMAPTI. */
export const ITS_DB_NONE = 1023;

export interface ItsConfig {
  maxDevices: number;
  /** ITT capacity per device (the largest 2^EventID-bits a MAPD may ask for). */
  maxEvents: number;
  maxCollections: number;
  maxVpes: number;
  /** LPI INTIDs LPI_MIN .. LPI_MIN + maxLpis − 1. */
  maxLpis: number;
}

const CACHE_SLOTS = 16;

export class ItsTables {
  readonly c: ItsConfig;
  readonly dteValid: Uint8Array;
  readonly dteNumEvents: Uint32Array;
  readonly iteValid: Uint8Array;
  readonly iteVirtual: Uint8Array;
  /** pINTID (physical ITE) or vINTID (virtual ITE). */
  readonly iteIntid: Uint32Array;
  /** ICID (physical ITE) or vPEID (virtual ITE). */
  readonly iteTarget: Int32Array;
  /** GICv4.0 doorbell pINTID of a virtual ITE (ITS_DB_NONE = none). */
  readonly iteDoorbell: Int32Array;
  readonly cteValid: Uint8Array;
  readonly cteTarget: Int32Array;
  readonly vpeValid: Uint8Array;
  /** Redistributor (pCPU) the vPE is mapped to (VMAPP / VMOVP). */
  readonly vpeRd: Int32Array;
  /** LPI property table in memory (what the guest/host writes) and the ITS/RD's cached copy. */
  readonly prop: Uint8Array;
  readonly propCache: Uint8Array;
  /** GICv4.1 vSGI configuration per vPE (VSGI command): property-byte format, group in bit 1. */
  readonly vsgiCfg: Uint8Array;
  /** VPT words per vPE: word 0 holds vINTIDs 0..31 (vSGIs), bit 32 + k holds vLPI LPI_MIN + k. */
  readonly vptWords: number;
  readonly vpt: Uint32Array;
  readonly cacheDev: Int32Array;
  readonly cacheEv: Int32Array;
  readonly cacheIte: Int32Array;
  cacheHits = 0;
  cacheMisses = 0;

  constructor(c: ItsConfig) {
    this.c = c;
    const nIte = c.maxDevices * c.maxEvents;
    this.dteValid = new Uint8Array(c.maxDevices);
    this.dteNumEvents = new Uint32Array(c.maxDevices);
    this.iteValid = new Uint8Array(nIte);
    this.iteVirtual = new Uint8Array(nIte);
    this.iteIntid = new Uint32Array(nIte);
    this.iteTarget = new Int32Array(nIte);
    this.iteDoorbell = new Int32Array(nIte).fill(ITS_DB_NONE);
    this.cteValid = new Uint8Array(c.maxCollections);
    this.cteTarget = new Int32Array(c.maxCollections).fill(-1);
    this.vpeValid = new Uint8Array(c.maxVpes);
    this.vpeRd = new Int32Array(c.maxVpes).fill(-1);
    this.prop = new Uint8Array(c.maxLpis);
    this.propCache = new Uint8Array(c.maxLpis);
    this.vsgiCfg = new Uint8Array(c.maxVpes * 16);
    this.vptWords = 1 + ((c.maxLpis + 31) >>> 5);
    this.vpt = new Uint32Array(c.maxVpes * this.vptWords);
    this.cacheDev = new Int32Array(CACHE_SLOTS).fill(-1);
    this.cacheEv = new Int32Array(CACHE_SLOTS).fill(-1);
    this.cacheIte = new Int32Array(CACHE_SLOTS).fill(-1);
  }
}

const iteIndex = (its: ItsTables, dev: number, ev: number): number => dev * its.c.maxEvents + ev;
const cacheSlot = (dev: number, ev: number): number => (dev * 31 + ev) & (CACHE_SLOTS - 1);

/** Drops every cached translation (K:vgic-its.c vgic_its_invalidate_cache): after MAPD, MAPC, MOVI, DISCARD… */
export function itsInvalidateCache(its: ItsTables): void {
  its.cacheDev.fill(-1);
  its.cacheEv.fill(-1);
  its.cacheIte.fill(-1);
}

export const itsCacheSize = (its: ItsTables): number => its.cacheIte.reduce((n, x) => n + (x >= 0 ? 1 : 0), 0);

function lpiOk(its: ItsTables, intid: number): boolean {
  return intid >= LPI_MIN && intid < LPI_MIN + its.c.maxLpis;
}

function eventOk(its: ItsTables, dev: number, ev: number): boolean {
  return dev >= 0 && dev < its.c.maxDevices && its.dteValid[dev] !== 0 && ev >= 0 && ev < its.dteNumEvents[dev];
}

/**
 * MAPD (K:vgic-its.c vgic_its_cmd_handle_mapd): V = 0 unmaps the device and drops its ITT; V = 1 (re)maps it
 * with a fresh, empty ITT of numEvents entries.
 */
export function itsMapd(its: ItsTables, dev: number, valid: boolean, numEvents = 0): number {
  if (dev < 0 || dev >= its.c.maxDevices || numEvents > its.c.maxEvents) return 0;
  const base = dev * its.c.maxEvents;
  its.iteValid.fill(0, base, base + its.c.maxEvents);
  its.dteValid[dev] = valid ? 1 : 0;
  its.dteNumEvents[dev] = valid ? numEvents : 0;
  itsInvalidateCache(its);
  return 1;
}

/** MAPC: ICID → target (redistributor / vCPU); V = 0 unmaps. */
export function itsMapc(its: ItsTables, icid: number, valid: boolean, target = -1): number {
  if (icid < 0 || icid >= its.c.maxCollections) return 0;
  its.cteValid[icid] = valid ? 1 : 0;
  its.cteTarget[icid] = valid ? target : -1;
  itsInvalidateCache(its);
  return 1;
}

/** MAPTI / MAPI: ignored when the device is unmapped, the event is out of range or an ITE already exists (I-04). */
export function itsMapti(its: ItsTables, dev: number, ev: number, intid: number, icid: number): number {
  if (!eventOk(its, dev, ev) || !lpiOk(its, intid) || icid < 0 || icid >= its.c.maxCollections) return 0;
  return iteCreate(its, iteIndex(its, dev, ev), 0, intid, icid, ITS_DB_NONE);
}

/** Fills a free ITE; an existing mapping wins (I-04: a second MAPTI/VMAPTI for the event is ignored). */
function iteCreate(its: ItsTables, k: number, virt: number, intid: number, target: number, doorbell: number): number {
  if (its.iteValid[k]) return 0;
  its.iteValid[k] = 1;
  its.iteVirtual[k] = virt;
  its.iteIntid[k] = intid;
  its.iteTarget[k] = target;
  its.iteDoorbell[k] = doorbell;
  return 1;
}

/** VMAPTI (GICv4): EventID → vINTID on vPE, with a GICv4.0 per-vLPI doorbell pINTID (ITS_DB_NONE = none). */
export function itsVmapti(
  its: ItsTables,
  dev: number,
  ev: number,
  vintid: number,
  vpe: number,
  doorbell: number,
): number {
  if (!eventOk(its, dev, ev) || !lpiOk(its, vintid) || vpe < 0 || vpe >= its.c.maxVpes) return 0;
  return iteCreate(its, iteIndex(its, dev, ev), 1, vintid, vpe, doorbell);
}

/** MOVI (physical: new ICID) / VMOVI (virtual: new vPE). Any cached translation is invalidated (I-05). */
export function itsMovi(its: ItsTables, dev: number, ev: number, target: number): number {
  if (!eventOk(its, dev, ev)) return 0;
  const k = iteIndex(its, dev, ev);
  if (!its.iteValid[k]) return 0;
  const max = its.iteVirtual[k] ? its.c.maxVpes : its.c.maxCollections;
  if (target < 0 || target >= max) return 0;
  its.iteTarget[k] = target;
  itsInvalidateCache(its);
  return 1;
}

/** DISCARD: removes the ITE (and, for a vLPI, its pending bit). Returns the INTID unmapped, or −1. */
export function itsDiscard(its: ItsTables, dev: number, ev: number): number {
  if (!eventOk(its, dev, ev)) return -1;
  const k = iteIndex(its, dev, ev);
  if (!its.iteValid[k]) return -1;
  its.iteValid[k] = 0;
  if (its.iteVirtual[k]) vptClear(its, its.iteTarget[k], its.iteIntid[k]);
  itsInvalidateCache(its);
  return its.iteIntid[k];
}

/** INV: reload the cached configuration of the event's (v)LPI. Returns its INTID, or −1. */
export function itsInv(its: ItsTables, dev: number, ev: number): number {
  if (!eventOk(its, dev, ev)) return -1;
  const k = iteIndex(its, dev, ev);
  if (!its.iteValid[k]) return -1;
  const x = its.iteIntid[k] - LPI_MIN;
  its.propCache[x] = its.prop[x];
  return its.iteIntid[k];
}

/** INVALL: reload the configuration of every LPI mapped to the collection. Returns how many. */
export function itsInvall(its: ItsTables, icid: number): number {
  let n = 0;
  for (let k = 0; k < its.iteValid.length; k++) {
    if (!its.iteValid[k] || its.iteVirtual[k] || its.iteTarget[k] !== icid) continue;
    const x = its.iteIntid[k] - LPI_MIN;
    its.propCache[x] = its.prop[x];
    n++;
  }
  return n;
}

/** VMAPP: vPEID → redistributor; V = 0 unmaps. VMOVP: move the vPE to another redistributor (I-11). */
export function itsVmapp(its: ItsTables, vpe: number, valid: boolean, rd = -1): number {
  if (vpe < 0 || vpe >= its.c.maxVpes) return 0;
  its.vpeValid[vpe] = valid ? 1 : 0;
  its.vpeRd[vpe] = valid ? rd : -1;
  itsInvalidateCache(its);
  return 1;
}

export function itsVmovp(its: ItsTables, vpe: number, rd: number): number {
  if (vpe < 0 || vpe >= its.c.maxVpes || !its.vpeValid[vpe]) return 0;
  its.vpeRd[vpe] = rd;
  return 1;
}

/**
 * GITS_TRANSLATER lookup: Device Table → ITT → Collection / vPE Table. Returns the ITE index, or −1 when the
 * device, event, collection or vPE is unmapped (the interrupt is dropped, I-03). Hits the translation cache first.
 */
export function itsTranslate(its: ItsTables, dev: number, ev: number): number {
  const slot = cacheSlot(dev, ev);
  if (its.cacheDev[slot] === dev && its.cacheEv[slot] === ev && its.cacheIte[slot] >= 0) {
    its.cacheHits++;
    return its.cacheIte[slot];
  }
  its.cacheMisses++;
  if (!eventOk(its, dev, ev)) return -1;
  const k = iteIndex(its, dev, ev);
  if (!its.iteValid[k]) return -1;
  if (its.iteVirtual[k] ? !its.vpeValid[its.iteTarget[k]] : !its.cteValid[its.iteTarget[k]]) return -1;
  its.cacheDev[slot] = dev;
  its.cacheEv[slot] = ev;
  its.cacheIte[slot] = k;
  return k;
}

// ---- virtual pending tables -------------------------------------------------------------------------------

function vptBit(intid: number): number {
  return intid < 32 ? intid : 32 + intid - LPI_MIN;
}

/** The INTID a VPT bit stands for (inverse of vptBit). */
export function vptIntid(bit: number): number {
  return bit < 32 ? bit : bit - 32 + LPI_MIN;
}

export function vptSet(its: ItsTables, vpe: number, intid: number): boolean {
  const b = vptBit(intid);
  const w = vpe * its.vptWords + (b >>> 5);
  const m = 1 << (b & 31);
  const was = (its.vpt[w] & m) !== 0;
  its.vpt[w] |= m;
  return was;
}

export function vptClear(its: ItsTables, vpe: number, intid: number): void {
  const b = vptBit(intid);
  its.vpt[vpe * its.vptWords + (b >>> 5)] &= ~(1 << (b & 31));
}

export function vptTest(its: ItsTables, vpe: number, intid: number): boolean {
  const b = vptBit(intid);
  return (its.vpt[vpe * its.vptWords + (b >>> 5)] & (1 << (b & 31))) !== 0;
}

/** Effective (cached) configuration byte of a vINTID on a vPE: vSGIs from VSGI, vLPIs from the property table. */
export function vintidConfig(its: ItsTables, vpe: number, intid: number): number {
  return intid < 16 ? its.vsgiCfg[vpe * 16 + intid] : its.propCache[intid - LPI_MIN];
}

/**
 * The redistributor's choice for a resident vPE: the enabled pending vINTID with the lowest priority value
 * (ties: lowest INTID). Returns the vINTID or 1023.
 */
export function vptHighestPending(its: ItsTables, vpe: number): number {
  const base = vpe * its.vptWords;
  let best = 1023;
  let bestPrio = 0x100;
  for (let w = 0; w < its.vptWords; w++) {
    let x = its.vpt[base + w];
    while (x !== 0) {
      const low = x & -x;
      x ^= low;
      const b = (w << 5) + 31 - Math.clz32(low);
      const intid = b < 32 ? b : LPI_MIN + b - 32;
      const cfg = vintidConfig(its, vpe, intid);
      if (!lpiPropEnabled(cfg)) continue;
      if (lpiPropPriority(cfg) < bestPrio) {
        bestPrio = lpiPropPriority(cfg);
        best = intid;
      }
    }
  }
  return best;
}
