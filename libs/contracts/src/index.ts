export * from "./compliance/firmware-version.js";
export * from "./device-csv.js";
export * from "./domain.js";
export * from "./events.js";
export * from "./http/index.js";
export * from "./message-ids.js";
export * from "./subjects.js";
