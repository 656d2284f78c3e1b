export { DeviceAgent } from "./agent.js";
export { families } from "./catalog.js";
export { credentialsOf } from "./credentials.js";
export { type ExpectedProbe, expectedProbe } from "./expected.js";
export {
  type Behaviour,
  behaviours,
  buildFleet,
  type DeviceSpec,
  type FleetOptions,
  type Layout,
  mulberry32,
  type SnmpAccess,
} from "./fleet-model.js";
export { type Fleet, type SerialChange, type StartFleetOptions, startFleet } from "./fleet-server.js";
export { csvColumns, inventoryCsv } from "./inventory-csv.js";
