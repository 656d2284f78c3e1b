export * from "./domain.js";
export * from "./events.js";
export * from "./subjects.js";
