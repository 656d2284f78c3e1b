import cliProgress from "cli-progress";
import type { OperationEvent } from "./operation-event.js";
import { progressLine, progressPayload } from "./progress-format.js";

/** Where progress goes: a bar redrawn in place on a terminal, plain lines (every few seconds) otherwise. */
export interface ProgressView {
  update(op: OperationEvent): void;
  note(message: string): void;
  stop(): void;
}

const FORMAT =
  "{bar} {percentage}% | {value}/{total} devices | {failed} failed | {rate} devices/s | ETA {eta} | {status}";

export function createProgressView(stream: NodeJS.WriteStream = process.stderr): ProgressView {
  return stream.isTTY ? new BarView(stream) : new LineView(stream);
}

class BarView implements ProgressView {
  private readonly bar: cliProgress.SingleBar;
  private started = false;

  constructor(private readonly stream: NodeJS.WriteStream) {
    this.bar = new cliProgress.SingleBar(
      { format: FORMAT, stream, hideCursor: true, clearOnComplete: false, fps: 10, etaBuffer: 1 },
      cliProgress.Presets.shades_classic,
    );
  }

  update(op: OperationEvent): void {
    const payload = progressPayload(op, Date.now());
    // total 0 (nothing matched yet) would make the percentage NaN.
    const total = Math.max(op.total_devices, 1);
    if (!this.started) {
      this.bar.start(total, op.processed_devices, payload);
      this.started = true;
    } else {
      this.bar.setTotal(total);
      this.bar.update(op.processed_devices, payload);
    }
  }

  note(message: string): void {
    // cli-progress redraws over the current line; a note ends the bar, and the next update starts anew.
    this.stop();
    this.stream.write(`${message}\n`);
  }

  stop(): void {
    if (this.started) this.bar.stop();
    this.started = false;
  }
}

class LineView implements ProgressView {
  private lastAt = 0;
  private lastStatus = "";

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly everyMs = 5_000,
  ) {}

  update(op: OperationEvent): void {
    const now = Date.now();
    if (op.status === this.lastStatus && now - this.lastAt < this.everyMs) return;
    this.lastAt = now;
    this.lastStatus = op.status;
    this.stream.write(`${progressLine(op, now)}\n`);
  }

  note(message: string): void {
    this.stream.write(`${message}\n`);
  }

  stop(): void {}
}
