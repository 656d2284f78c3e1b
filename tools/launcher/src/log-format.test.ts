import { describe, expect, it } from "vitest";
import { formatLogLine } from "./log-format.js";

describe("formatLogLine", () => {
  it("renders a pino line as time, level, message and fields, without the boilerplate", () => {
    const line = JSON.stringify({
      level: 30,
      time: "2026-11-25T20:31:02.123Z",
      service: "scheduler",
      pid: 4242,
      name: "scheduler",
      operationId: "42",
      devices: 1000,
      msg: "fan-out done",
    });
    expect(formatLogLine(line)).toEqual({
      text: "20:31:02.123 INFO  fan-out done operationId=42 devices=1000",
      level: 30,
    });
  });

  it("quotes strings with spaces and shows an error's message, with its stack at error level", () => {
    const err = { type: "Error", message: "connect ECONNREFUSED", stack: "Error: boom\n    at x (a.js:1:1)" };
    const out = formatLogLine(JSON.stringify({ level: 50, time: 0, msg: "fatal error", err, where: "a b" }));
    expect(out.level).toBe(50);
    expect(out.text).toBe(
      '00:00:00.000 ERROR fatal error err="connect ECONNREFUSED" where="a b"\n    at x (a.js:1:1)',
    );
  });

  it("passes lines that are not pino JSON through unchanged", () => {
    expect(formatLogLine("node:internal/modules boom  ").text).toBe("node:internal/modules boom");
    expect(formatLogLine("{not json").text).toBe("{not json");
    expect(formatLogLine('{"a":1}').text).toBe('{"a":1}');
  });
});
