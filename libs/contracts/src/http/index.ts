export * from "./audit.js";
export * from "./device-results.js";
export * from "./devices.js";
export * from "./envelopes.js";
export * from "./errors.js";
export * from "./operations.js";
export * from "./pagination.js";
export * from "./tokens.js";
