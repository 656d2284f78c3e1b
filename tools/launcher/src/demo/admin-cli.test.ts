import { describe, expect, it } from "vitest";
import { parseToken } from "./admin-cli.js";

describe("parseToken", () => {
  const token = "hop_3Jk9xQ2mV7bN4cR8tW1yZ5aL6dF0gH2s";

  it("finds the token in a sentence, on its own line, or in a JSON object", () => {
    expect(parseToken(`Created token 7 (demo, admin) for 101, 102.\n${token}\n`)).toBe(token);
    expect(parseToken(`token: ${token}\nstore it now; it is not shown again\n`)).toBe(token);
    expect(parseToken(`${JSON.stringify({ id: "7", token })}\n`)).toBe(token);
  });

  it("ignores pino log lines and URLs, and returns nothing when no token is printed", () => {
    const log = JSON.stringify({ level: 30, msg: "token created", token: "[redacted]" });
    expect(parseToken(`${log}\n${token}\n`)).toBe(token);
    expect(parseToken("see http://127.0.0.1:8080/docs/aaaaaaaaaaaaaaaaaaaaaaaa\n")).toBeUndefined();
    expect(parseToken("done\n")).toBeUndefined();
  });
});
