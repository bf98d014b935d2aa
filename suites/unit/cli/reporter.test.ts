import { describe, expect, test } from "vitest";
import {
  BUG_HINT, JsonReporter, TextReporter, formatError, formatStageLine, formatTimestamp, isInternalError, renderProgressBar,
} from "../../../src/cli/reporter.js";
import { V2vError, badOption } from "../../../src/model/errors.js";

class Buffer {
  readonly chunks: string[] = [];
  write(text: string): void { this.chunks.push(text); }
  get text(): string { return this.chunks.join(""); }
}

/** A clock the test moves by hand, starting at an arbitrary epoch. */
function fakeClock(startMs = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = startMs;
  return { now: () => t, advance: (ms) => { t += ms; } };
}

function textReporter(opts: { quiet?: boolean; verbose?: boolean; isTTY?: boolean } = {}) {
  const out = new Buffer();
  const err = new Buffer();
  const clock = fakeClock();
  const r = new TextReporter(out, err, { quiet: false, verbose: false, isTTY: false, ...opts, now: clock.now });
  return { r, out, err, clock };
}

describe("TextReporter", () => {
  test("stage lines carry the elapsed time like virt-v2v's [%6.1f]", () => {
    expect(formatStageLine(0, "Setting up the source: -i ova guest.ova")).toBe("[   0.0] Setting up the source: -i ova guest.ova");
    expect(formatStageLine(12.34, "Copying disk 1/1")).toBe("[  12.3] Copying disk 1/1");
    expect(formatStageLine(12345.67, "x")).toBe("[12345.7] x");
    const { r, out, clock } = textReporter();
    r.stage("Setting up the source: -i disk a.img");
    clock.advance(61_250);
    r.stage("Copying disk 1/1");
    expect(out.text).toBe("[   0.0] Setting up the source: -i disk a.img\n[  61.3] Copying disk 1/1\n");
    expect(r.elapsedSeconds()).toBeCloseTo(61.25);
  });

  test("warnings go to stderr on one line, even with -q; -q hides stage lines", () => {
    const { r, out, err } = textReporter({ quiet: true });
    r.stage("Opening the source");
    r.warning("no virtio drivers for this guest");
    r.progress(50);
    expect(out.text).toBe("");
    expect(err.text).toBe("v2v: warning: no virtio drivers for this guest\n");
  });

  test("info lines only with -v", () => {
    const quiet = textReporter();
    quiet.r.info("rebuilt the initramfs");
    expect(quiet.out.text).toBe("");
    const loud = textReporter({ verbose: true });
    loud.r.info("rebuilt the initramfs");
    expect(loud.out.text).toBe("v2v: info: rebuilt the initramfs\n");
  });

  test("on a terminal progress is one bar redrawn on whole-percent changes, ended by a newline at 100", () => {
    const { r, out } = textReporter({ isTTY: true });
    for (const p of [0, 0.4, 1, 1.9, 50, 100, 100]) r.progress(p);
    expect(out.chunks).toEqual([
      `\r${renderProgressBar(0)}`, `\r${renderProgressBar(1)}`, `\r${renderProgressBar(50)}`, `\r${renderProgressBar(100)}`, "\n",
    ]);
    expect(renderProgressBar(50)).toBe(`[${"#".repeat(20)}${"-".repeat(20)}]  50%`);
  });

  test("a stage line or warning during a bar first ends the bar's line; a new run starts a new bar", () => {
    const { r, out, err } = textReporter({ isTTY: true });
    r.progress(30);
    r.warning("slow disk");
    r.progress(40);
    r.progress(100);
    r.progress(0);
    r.stage("Creating output metadata");
    expect(out.text).toBe(
      `\r${renderProgressBar(30)}\n\r${renderProgressBar(40)}\r${renderProgressBar(100)}\n\r${renderProgressBar(0)}\n` +
      "[   0.0] Creating output metadata\n");
    expect(err.text).toBe("v2v: warning: slow disk\n");
  });

  test("not on a terminal: no progress, or with -v one plain line per 10%", () => {
    const plain = textReporter();
    for (const p of [0, 10, 55, 100]) plain.r.progress(p);
    expect(plain.out.text).toBe("");
    const verbose = textReporter({ verbose: true });
    for (const p of [0, 5, 10, 15, 99.9, 100, 100]) verbose.r.progress(p);
    expect(verbose.out.text).toBe("progress: 0%\nprogress: 10%\nprogress: 90%\nprogress: 100%\n");
  });
});

describe("JsonReporter", () => {
  function jsonReporter(verbose = false) {
    const out = new Buffer();
    const clock = fakeClock();
    const r = new JsonReporter(out, { verbose, now: clock.now });
    const objects = (): Record<string, unknown>[] =>
      out.text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Record<string, unknown>);
    return { r, out, clock, objects };
  }

  test("one JSON object per line with message, timestamp and type", () => {
    const { r, out, clock, objects } = jsonReporter();
    r.stage("Setting up the source: -i ova guest.ova");
    clock.advance(1500);
    r.warning("unable to parse line from manifest file");
    r.info("hidden without -v");
    expect(out.text.endsWith("\n")).toBe(true);
    const [first, second, ...rest] = objects();
    expect(rest).toEqual([]);
    expect(first).toMatchObject({ message: "Setting up the source: -i ova guest.ova", type: "message" });
    expect(second).toMatchObject({ message: "unable to parse line from manifest file", type: "warning" });
    expect(Object.keys(first ?? {})).toEqual(["message", "timestamp", "type"]);
    expect(Date.parse(String(second?.timestamp)) - Date.parse(String(first?.timestamp))).toBe(1500);
    expect(r.elapsedSeconds()).toBeCloseTo(1.5);
  });

  test("info objects with -v", () => {
    const { r, objects } = jsonReporter(true);
    r.info("kernel 6.1.0-13-amd64 has virtio drivers");
    expect(objects()).toMatchObject([{ type: "info", message: "kernel 6.1.0-13-amd64 has virtio drivers" }]);
  });

  test("progress objects only when the whole percentage changes", () => {
    const { r, objects } = jsonReporter();
    for (const p of [0, 0.2, 0.9, 1, 1.5, 42.7, 100, 100]) r.progress(p);
    const progress = objects();
    expect(progress.map((o) => o.percent)).toEqual([0, 1, 42, 100]);
    for (const o of progress) {
      expect(o.type).toBe("progress");
      expect(Number.isNaN(Date.parse(String(o.timestamp)))).toBe(false);
    }
  });

  test("timestamps are ISO 8601 with a UTC offset and name the right instant", () => {
    const d = new Date(Date.UTC(2024, 4, 1, 12, 3, 7, 120));
    const ts = formatTimestamp(d);
    expect(ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
    expect(Date.parse(ts)).toBe(d.getTime());
  });
});

describe("messages from the guest or the OVF cannot drive the terminal", () => {
  const hostile = "disk\x1b[2J\nv2v: forged line\r\u202eexe.txt\x9b31m";
  const escaped = "disk\\x1b[2J\\nv2v: forged line\\r\\u{202e}exe.txt\\x9b31m";

  test("stage, info and warning lines are escaped, one line each", () => {
    const { r, out, err } = textReporter({ verbose: true });
    r.stage(hostile);
    r.info(hostile);
    r.warning(hostile);
    expect(out.text).toBe(`[   0.0] ${escaped}\nv2v: info: ${escaped}\n`);
    expect(err.text).toBe(`v2v: warning: ${escaped}\n`);
  });

  test("--machine-readable messages are escaped too (JSON alone leaves C1 controls and bidi overrides raw)", () => {
    const out = new Buffer();
    const r = new JsonReporter(out, { verbose: true, now: () => 0 });
    r.warning(hostile);
    expect(out.text.split("\n")).toHaveLength(2);
    expect((JSON.parse(out.text) as { message: string }).message).toBe(escaped);
    expect(out.text).not.toMatch(/[\x80-\x9f\u202e]/);
  });
});

describe("formatError", () => {
  test("command-line mistakes: one line, no bug-report hint", () => {
    const r = formatError(badOption("option -os given twice; give it once"), { machineReadable: false });
    expect(r).toEqual({ stderr: "v2v: error: option -os given twice; give it once\n", stdout: "" });
  });

  test.each(["BAD_INPUT", "BAD_OPTION", "CHECKSUM", "NO_OS", "MULTIPLE_OS", "UNSUPPORTED_GUEST", "NO_SPACE", "OUTPUT", "INTERRUPTED", "CONVERSION"] as const)(
    "%s is a foreseen failure: one line, no bug-report hint", (code) => {
      const e = new V2vError(code, "x.ova: something went wrong; do this");
      expect(isInternalError(e)).toBe(false);
      expect(formatError(e, { machineReadable: false })).toEqual({ stderr: "v2v: error: x.ova: something went wrong; do this\n", stdout: "" });
      expect(formatError(e, { machineReadable: false, verbose: true }).stderr).not.toContain(BUG_HINT);
    },
  );

  test("internal errors (not a V2vError, or GUESTFS/COMMAND) get the hint, once", () => {
    for (const e of [new TypeError("x is undefined"), new V2vError("GUESTFS", "guestfish: launch failed"), new V2vError("COMMAND", "qemu-img convert failed"), "a string"]) {
      expect(isInternalError(e)).toBe(true);
      for (const verbose of [false, true]) {
        const { stderr } = formatError(e, { machineReadable: false, verbose });
        expect(stderr.split(BUG_HINT)).toHaveLength(2);
        expect(stderr.endsWith(`\n\n${BUG_HINT}\n`)).toBe(true);
      }
    }
    expect(formatError(new TypeError("x is undefined"), { machineReadable: false }).stderr).toBe(`v2v: error: x is undefined\n\n${BUG_HINT}\n`);
  });

  test("a multi-line message is one line; the rest and the causes only with -v; every line escaped", () => {
    const cause = new Error("exit code 1\nstderr: qemu-img: \x1b[31mboom", { cause: new Error("ENOSPC") });
    const e = new V2vError("OUTPUT", "\n-o local: two problems:\n-os /x is not writable\n-of vdi is not supported", { cause });
    expect(formatError(e, { machineReadable: false }).stderr).toBe("v2v: error: -o local: two problems:\n");
    expect(formatError(e, { machineReadable: false, verbose: true }).stderr).toBe(
      "v2v: error: -o local: two problems:\n-os /x is not writable\n-of vdi is not supported\n" +
      "cause: exit code 1\nstderr: qemu-img: \\x1b[31mboom\ncause: ENOSPC\n");
  });

  test("the error line is escaped: a crafted message cannot forge output", () => {
    const { stderr } = formatError(new V2vError("BAD_INPUT", "x.ovf: name \x1b]0;pwned\x07\u202e is bad\r"), { machineReadable: false });
    expect(stderr).toBe("v2v: error: x.ovf: name \\x1b]0;pwned\\x07\\u{202e} is bad\\r\n");
  });

  test("with -v: the stack of an unexpected exception", () => {
    const bug = new TypeError("x is undefined");
    expect(formatError(bug, { machineReadable: false, verbose: true }).stderr).toContain(String(bug.stack));
  });

  test("--machine-readable also gives one JSON error object for stdout, with the first line", () => {
    const r = formatError(new V2vError("NO_OS", "inspection found no operating system\ndetails"), { machineReadable: true, now: () => 0 });
    expect(r.stderr).toBe("v2v: error: inspection found no operating system\n");
    const obj = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(obj).toEqual({ message: "inspection found no operating system", timestamp: formatTimestamp(new Date(0)), type: "error" });
    expect(r.stdout.endsWith("}\n")).toBe(true);
  });
});
