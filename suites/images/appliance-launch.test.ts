// An appliance launch that passes its deadline, with the real libguestfs: the session stops it,
// tries once more in verbose mode and, when that fails too, throws one GuestfsError for "run"
// that carries the appliance's last log lines (libguestfs's launch lines and qemu's command) and
// a warning for the first try. Nothing of either session is left behind. A 3 s deadline makes a
// launch that takes ~20 s under TCG late on purpose; a normal deadline then launches fine.
import { mkdir, mkdtemp, open, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { GuestfishSession, GuestfsError } from "../../src/guest/guestfish.js";

let work: string;
let disk: string;

beforeAll(async () => {
  work = await mkdtemp(join(process.env["VIRT_V2V_TMPDIR"] ?? "/var/tmp", "v2v-launch-"));
  disk = join(work, "blank.raw");
  const fh = await open(disk, "w");
  await fh.truncate(64 * 1024 ** 2);
  await fh.close();
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

test("a late launch is stopped, tried again with its log, and fails with the appliance's last lines", async () => {
  const warnings: string[] = [];
  const tmpDir = join(work, "sessions");
  await mkdir(tmpDir, { recursive: true });
  const err = await GuestfishSession.start([{ path: disk, format: "raw", readonly: true }], { launchTimeoutMs: 3000, tmpDir, onWarning: (w) => warnings.push(w) })
    .then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(GuestfsError);
  const e = err as GuestfsError;
  expect(e.command).toBe("run");
  const [first, ...rest] = e.message.split("\n");
  expect(first).toBe("libguestfs: run: no answer after 3 s; the appliance was stopped");
  expect(rest[0]).toBe("the appliance's last log lines:");
  // The verbose second launch logs libguestfs's launch steps; a quiet one would log nothing.
  expect(rest.join("\n")).toMatch(/^libguestfs: /m);
  expect(warnings).toEqual([expect.stringMatching(/^the libguestfs appliance did not start \(libguestfs: run: no answer after 3 s; the appliance was stopped\); starting it once more, with its log$/)]);
  // Both sessions' directories (and their servers and qemus) are gone.
  expect(await readdir(tmpDir)).toEqual([]);
}, 5 * 60_000);

test("with the normal deadline the same disk launches at the first try, without a warning", async () => {
  const warnings: string[] = [];
  const s = await GuestfishSession.start([{ path: disk, format: "raw", readonly: true }], { onWarning: (w) => warnings.push(w) });
  try {
    expect(await s.cmd("list-devices")).toBe("/dev/sda");
  } finally {
    await s.close();
  }
  expect(warnings).toEqual([]);
}, 5 * 60_000);
