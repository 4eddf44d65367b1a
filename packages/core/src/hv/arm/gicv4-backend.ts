// GICv4 / v4.1 (semantics §B.7): the virtual CPU interface, the LRs, the emulated ITS and the SGI trap are
// GICv3's — what GICv4 adds (vLPIs injected by the host ITS, doorbells, GICv4.1 vSGIs) is the direct-injection
// component the arm-gicv4 scheme holds (gicv4-direct.ts), not a difference in these fields.

import type { GicBackend } from './gic-backend.ts';
import { gicv3Backend } from './gicv3-backend.ts';

export const gicv4Backend: GicBackend = { ...gicv3Backend, name: 'GICv4' };
