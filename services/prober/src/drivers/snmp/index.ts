export { classifySnmpError } from "./classify.js";
export { CredentialStore, type DeviceAccess } from "./credential-store.js";
export { firmwareFromSysDescr } from "./firmware-parser.js";
export { installKeyCache } from "./key-cache.js";
export { createSnmpDriver, SnmpDriver, type SnmpDriverDeps } from "./snmp-driver.js";
export { probeSnmp, type SnmpProbeInput } from "./snmp-probe.js";
