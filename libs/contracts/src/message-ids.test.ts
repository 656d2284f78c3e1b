import { describe, expect, it } from "vitest";
import { jobMsgId, operationCreatedMsgId, resultMsgId } from "./message-ids.js";

describe("message ids", () => {
  it("name each message by what it is about, as the streams de-duplicate by them", () => {
    expect(operationCreatedMsgId("42")).toBe("op-42-created");
    expect(jobMsgId("42", "1001", 2)).toBe("job-42-1001-r2");
    const job = jobMsgId("42", "1001", 1);
    expect(resultMsgId(job, "q9Zx")).toBe("job-42-1001-r1-res-q9Zx");
  });
});
