/** Exchange simulator: public entry points. */
export { Simulator, type SimulatorOptions, type SimulatorStats, type SnapshotHold } from './simulator.ts';
export { parseFaultSpec, mulberry32, FAULT_KINDS, type FaultConfig, type FaultKind } from './faults.ts';
export { simProtocol, simProtocols } from './protocols.ts';
export type * from './types.ts';
