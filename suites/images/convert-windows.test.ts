// The built Windows Server 2022 guest (UEFI, VMware-born) converted by the real CLI with the
// harness's virtio-win tree, then read back read-only: registry, drivers, first-boot service,
// BCD, metadata. The boot-driver check is shown to fail on a converted copy whose registration
// was taken out (mutation check; the smoke matrix's Windows cell runs the negative check on the
// unconverted guest). Then the same guest with no matching drivers (emulated devices and a
// warning), and a hibernated guest (refused in one line, nothing written). Built guests have no
// Windows kernel: static proof only.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { attachment, parameter } from "allure-js-commons";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GuestfishGuest } from "../../src/guest/guestfish-guest.js";
import { GuestfishSession } from "../../src/guest/guestfish.js";
import { checkConverted, sha256File, type CheckResult } from "../../src/harness/checks/converted.js";
import { checkBootDriverRegistered, openWindowsView } from "../../src/harness/checks/windows.js";
import { ensureGuestDisks } from "../../src/harness/guests/builders.js";
import { findRecipe } from "../../src/harness/guests/recipes.js";
import { ensureVirtioWin } from "../../src/harness/guests/windows/virtio-win.js";
import { runV2v, type V2vRun } from "../../src/harness/matrix/run-v2v.js";
import { run } from "../../src/host/exec.js";
import { Hive } from "../../src/registry/hive.js";

const recipe = findRecipe("windows-2022-uefi");
const log = (m: string): void => console.log(`images: ${m}`);

let work: string;
let source: string;
let virtioWin: string;

beforeAll(async () => {
  source = (await ensureGuestDisks(recipe, log)).disks[0]!.path;
  virtioWin = (await ensureVirtioWin()).dir;
  work = await mkdtemp(join(process.env["VIRT_V2V_TMPDIR"] ?? "/var/tmp", "v2v-images-win-"));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const disksIn = async (dir: string): Promise<string[]> => (await readdir(dir)).filter((f) => /-sd[a-z]+$/.test(f)).map((f) => join(dir, f));

describe("v2v -i disk -o qemu: built Windows Server 2022 (UEFI) with virtio-win", () => {
  let out: string;
  let v2v: V2vRun;
  let checks: readonly CheckResult[] = [];

  beforeAll(async () => {
    out = join(work, "out");
    await mkdir(out);
    const before = await sha256File(source);
    v2v = await runV2v(["-i", "disk", source, "-o", "qemu", "-os", out], work, undefined, { VIRTIO_WIN: virtioWin });
    if (v2v.exitCode !== 0) return;
    checks = (await checkConverted({
      output: "qemu", disks: await disksIn(out), guestOs: "windows",
      metadataPath: join(out, `${recipe.name}-sda.sh`),
      expect: { diskCount: 1, blockBus: "virtio-blk", firmware: "uefi", nicModel: "virtio-net", windows: { tpm: false } },
      sourceHashes: { before: { [source]: before }, after: { [source]: await sha256File(source) } },
    })).checks;
  });

  test("the CLI converts the guest", async () => {
    await parameter("guest", recipe.name);
    await attachment("v2v stdout (JSON lines)", await readFile(v2v.stdoutPath, "utf8"), "text/plain");
    await attachment("v2v stderr", await readFile(v2v.stderrPath, "utf8"), "text/plain");
    expect(v2v.exitCode, v2v.summary.error).toBe(0);
    expect(v2v.summary.stages.map((s) => s.message)).toContain("This guest has virtio drivers installed.");
  });

  const names = [
    "the source is unchanged", "converted disk(s) written", "NAME.sh is valid sh", "all on virtio", "local time", "Hyper-V",
    "viostor is registered to start at boot", "viostor.sys is in System32", "Drivers\\VirtIO", "DevicePath",
    "VMware services are disabled", "AutoReboot", "first-boot service is registered", "first-boot scripts",
    "BCD default entry", "BOOTX64.EFI",
  ];
  test.for(names)("static check: %s", (fragment) => {
    const found = checks.filter((c) => c.name.includes(fragment));
    expect(found.length, `no check named like "${fragment}" among: ${checks.map((c) => c.name).join("; ")}`).toBeGreaterThan(0);
    for (const c of found) expect(c.ok, `${c.name}: ${c.detail}`).toBe(true);
  });

  test("every static check passes", () => {
    expect(checks.length).toBeGreaterThan(12);
    expect(checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`)).toEqual([]);
  });

  test("mutation check: a converted copy without the viostor registration fails the boot-driver check", async () => {
    expect(v2v.exitCode).toBe(0);
    const copy = join(work, "sabotaged.raw");
    await run(["cp", "--sparse=always", (await disksIn(out))[0]!, copy]);
    const s = await GuestfishSession.start([{ path: copy, format: "raw" }]);
    try {
      await s.cmd("mount", "/dev/sda3", "/");
      const hivePath = await s.cmd("case-sensitive-path", "/Windows/System32/config/SYSTEM");
      const local = join(work, "SYSTEM");
      await s.cmd("download", hivePath, local);
      const h = Hive.parse(await readFile(local), "SYSTEM");
      expect(h.deleteKey(["ControlSet001", "Services", "viostor"])).toBe(true);
      await writeFile(local, h.toBuffer());
      await s.cmd("upload", local, hivePath);
    } finally {
      await s.close();
    }
    const g = await GuestfishGuest.open([{ path: copy, format: "raw", readonly: true }]);
    try {
      const boot = checkBootDriverRegistered(await openWindowsView(g, await mkdtemp(join(work, "mut-"))));
      expect(boot.ok).toBe(false);
      expect(boot.detail).toMatch(/Start is missing/);
    } finally {
      await g.close();
      await rm(copy, { force: true });
    }
  });
});

describe("no matching virtio drivers: emulated devices and a warning", () => {
  test("-o local: sata disk, e1000 NIC, the warning names where drivers were looked for", async () => {
    const out = join(work, "nodrivers");
    const empty = join(work, "empty-virtio-win");
    await mkdir(out);
    await mkdir(empty);
    const r = await runV2v(["-i", "disk", source, "-o", "local", "-os", out], out, undefined, { VIRTIO_WIN: empty });
    expect(r.exitCode, r.summary.error).toBe(0);
    expect(r.summary.warnings.join("\n")).toMatch(new RegExp(`no virtio drivers .* in ${empty}`));
    const xml = await readFile(join(out, `${recipe.name}-sda.xml`), "utf8");
    expect(xml).toMatch(/<target dev="sda" bus="sata"\/>/);
    expect(xml).toMatch(/<model type="e1000"\/>/);
    expect(xml).toMatch(/<clock offset="localtime">/);
  });
});

describe("a hibernated Windows guest", () => {
  test("is refused with one line, exit 1, nothing written", async () => {
    const hib = (await ensureGuestDisks(findRecipe("windows-2022-hibernated"), log)).disks[0]!.path;
    const out = join(work, "hibernated");
    await mkdir(out);
    const r = await runV2v(["-i", "disk", hib, "-o", "local", "-os", out], work, undefined, { VIRTIO_WIN: virtioWin });
    expect(r.exitCode).toBe(1);
    expect(r.summary.error).toMatch(/hibernated or was shut down with Fast Startup/);
    expect(r.summary.error).not.toContain("\n");
    expect(await readdir(out)).toEqual([]);
  });
});
