// The whole stage list of runConversion, driven with fakes for every effect it is given (modes,
// appliance, overlays, copy): stage order, several disks, several roots, and what is cleaned up
// when each stage fails (appliance stopped, work directory removed, -os lock released).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { Converter, InputModule, OutputModule } from "../../../src/model/contracts.js";
import { V2vError } from "../../../src/model/errors.js";
import type { ApplianceGuest, InspectedRoot } from "../../../src/model/guest-handle.js";
import { RecordingReporter } from "../../../src/model/messages.js";
import type { OutputOptions, RunOptions } from "../../../src/model/types.js";
import type { ConversionDeps } from "../../../src/pipeline/deps.js";
import { runConversion } from "../../../src/pipeline/run.js";
import { FakeGuest } from "../fakes/fake-guest.js";
import { diskSource } from "../converters/linux/debian-guest.js";

let dir = "";
let savedTmp: string | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "v2v-run-"));
  savedTmp = process.env["VIRT_V2V_TMPDIR"];
  process.env["VIRT_V2V_TMPDIR"] = join(dir, "tmp");
  mkdirSync(join(dir, "tmp"));
  mkdirSync(join(dir, "out"));
});
afterEach(() => {
  if (savedTmp === undefined) delete process.env["VIRT_V2V_TMPDIR"];
  else process.env["VIRT_V2V_TMPDIR"] = savedTmp;
  rmSync(dir, { recursive: true, force: true });
});

const root = (dev: string, product: string): InspectedRoot => ({
  root: dev, osType: "linux", distro: "debian", majorVersion: 12, minorVersion: 0, productName: product, arch: "x86_64",
  osinfo: "debian12", packageFormat: "deb", packageManagement: "apt", mountpoints: { "/": dev },
});

type Failing = "readSource" | "plan" | "createOverlays" | "openGuest" | "convert" | "fstrim" | "copy" | "finalize";

interface World {
  readonly deps: ConversionDeps;
  readonly events: string[];
  readonly guest: FakeGuest & ApplianceGuest;
}

function world(opts: { disks?: number; roots?: readonly InspectedRoot[]; fail?: Failing } = {}): World {
  const events: string[] = [];
  const fail = (what: Failing): void => {
    if (opts.fail === what) throw new V2vError("CONVERSION", `${what} failed on purpose`);
  };
  const source = diskSource(opts.disks ?? 1);
  const guest = Object.assign(new FakeGuest({ roots: opts.roots ?? [root("/dev/sda1", "12.5")] }), {
    kill: async () => { events.push("kill appliance"); },
  });
  const origFstrim = guest.fstrimAll.bind(guest);
  guest.fstrimAll = async () => { events.push("fstrim"); fail("fstrim"); return origFstrim(); };
  const input: InputModule = {
    spec: { name: "fake", aliases: [], usage: "X", help: "h", sourceNoun: "x", acceptsInputFormat: false, keys: [] },
    parseOptions: () => ({ mode: "fake", args: ["x"] }),
    readSource: async () => { events.push("readSource"); fail("readSource"); return source; },
  };
  const output: OutputModule = {
    spec: { name: "fakeout", aliases: [], help: "h", storage: "required", writesDisks: true, metadataSuffixes: [".m"], keys: [] },
    parseOptions: () => { throw new Error("not used"); },
    validate: async () => { events.push("validate"); },
    plan: async (name, src) => {
      events.push(`plan ${name}`); fail("plan");
      return { diskPaths: src.disks.map((d) => join(dir, "out", `${name}-sd${String.fromCharCode(97 + d.index)}`)) };
    },
    finalize: async (meta) => { events.push(`finalize ${meta.disks.length} disk(s) on ${meta.guestcaps.blockBus}`); fail("finalize"); return [join(dir, "out", "g.m")]; },
  };
  const converter: Converter = {
    name: "fakeconv", supports: "fake guests", handles: () => true,
    convert: async (_g, insp) => {
      events.push(`convert ${insp.root}`); fail("convert");
      return { drivers: { virtioBlk: true, virtioNet: true, virtioRng: true, virtioBalloon: true }, changes: [], warnings: [] };
    },
  };
  const deps: ConversionDeps = {
    findInput: (n) => (n === "fake" ? input : undefined),
    findOutput: (n) => (n === "fakeout" ? output : undefined),
    converters: [converter],
    probeAccel: async () => { events.push("probe accel"); return "tcg"; },
    applianceSize: () => ({ smp: 1, memoryMiB: 768 }),
    inflateDisks: async (s) => { events.push("inflate"); return s; },
    createOverlays: async (s, work) => {
      events.push(`overlays ${s.disks.length}`); fail("createOverlays");
      return s.disks.map((d) => ({ index: d.index, path: join(work, `overlay-${d.index}.qcow2`) }));
    },
    openGuest: async (drives, o) => {
      events.push(`open ${drives.length} drive(s) smp=${o.smp} mem=${o.memoryMiB} ${o.accel}`); fail("openGuest");
      return guest;
    },
    keySources: (keys, keysFromStdin) => ({
      keys, keysFromStdin,
      readKeyFile: async () => { throw new Error("no key files in this test"); },
      nextStdinKey: async () => undefined,
    }),
    imageSize: async () => 1 << 30,
    copyDisks: async (ovs, paths) => { events.push(`copy ${ovs.length} -> ${paths.filter(Boolean).length}`); fail("copy"); },
  };
  return { deps, events, guest };
}

const options = (over: Partial<RunOptions> = {}): RunOptions => ({
  input: { mode: "fake", args: ["x"] },
  output: { mode: "fakeout", storage: join(dir, "out"), format: "raw", allocation: "sparse", compressed: false } as OutputOptions,
  root: { kind: "ask" }, blockDriver: "virtio-blk", keys: [], keysFromStdin: false, verbose: false, trace: false, quiet: false, machineReadable: false, printSource: false, ...over,
});

const workDirs = (): string[] => readdirSync(join(dir, "tmp"));

describe("runConversion with fakes", () => {
  test("the stages run in virt-v2v's order, over every disk, and leave no work dir or lock", async () => {
    const w = world({ disks: 3 });
    const reporter = new RecordingReporter();
    const r = await runConversion(options(), reporter, w.deps);
    expect(w.events).toEqual([
      "validate", "readSource", "plan deb12", "inflate", "overlays 3", "probe accel", "open 3 drive(s) smp=1 mem=768 tcg",
      "convert /dev/sda1", "fstrim", "copy 3 -> 3", "finalize 3 disk(s) on virtio-blk",
    ]);
    expect(w.guest.ops).toContain("close");
    expect(r.conversion?.converter).toBe("fakeconv");
    expect(r.files).toHaveLength(4);
    expect(r.stages.map((s) => s.stage)[0]).toMatch(/^Setting up the source: -i fake x/);
    expect(reporter.lines.filter((l) => l.type === "stage").map((l) => l.text)).toContain("This guest has virtio drivers installed.");
    expect(workDirs()).toEqual([]);
    expect(existsSync(join(dir, "out", ".v2v.lock"))).toBe(false);
  });

  test("--print-source stops after reading the source: nothing planned, opened or written", async () => {
    const w = world();
    const r = await runConversion(options({ printSource: true }), new RecordingReporter(), w.deps);
    expect(r.printedSource).toContain("deb12");
    expect(w.events).toEqual(["validate", "readSource"]);
  });

  test("several roots: --root ask refuses and lists them; --root first converts the first, a device picks one", async () => {
    const roots = [root("/dev/sda1", "12.5"), root("/dev/sdb1", "11.9")];
    const refused = await runConversion(options(), new RecordingReporter(), world({ roots }).deps).catch((e: unknown) => e as V2vError);
    expect(refused).toBeInstanceOf(V2vError);
    expect((refused as V2vError).code).toBe("MULTIPLE_OS");
    expect((refused as V2vError).message).toMatch(/\/dev\/sda1.*\/dev\/sdb1/s);
    const first = world({ roots });
    await runConversion(options({ root: { kind: "first" } }), new RecordingReporter(), first.deps);
    expect(first.events).toContain("convert /dev/sda1");
    const chosen = world({ roots });
    await runConversion(options({ root: { kind: "device", device: "/dev/sdb1" } }), new RecordingReporter(), chosen.deps);
    expect(chosen.events).toContain("convert /dev/sdb1");
    expect(chosen.events).not.toContain("convert /dev/sda1");
  });

  const failures: [Failing, boolean][] = [
    ["readSource", false], ["plan", false], ["createOverlays", false], ["openGuest", false],
    ["convert", true], ["fstrim", true], ["copy", false], ["finalize", false],
  ];
  test.each(failures)("a failure in %s ends the run with that error and cleans up (appliance killed: %s)", async (stage, killed) => {
    const w = world({ fail: stage });
    const e = (await runConversion(options(), new RecordingReporter(), w.deps).catch((x: unknown) => x)) as V2vError;
    expect(e).toBeInstanceOf(V2vError);
    expect(e.message).toBe(`${stage} failed on purpose`);
    expect(w.events.includes("kill appliance")).toBe(killed);
    // Nothing runs after the failing stage.
    const at = w.events.findIndex((x) => x.startsWith(stage === "openGuest" ? "open" : stage === "createOverlays" ? "overlays" : stage === "readSource" ? "readSource" : stage));
    expect(at).toBe(w.events.length - (killed ? 2 : 1));
    expect(workDirs()).toEqual([]);
    expect(existsSync(join(dir, "out", ".v2v.lock"))).toBe(false);
  });
});
