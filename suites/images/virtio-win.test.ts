// The virtio-win driver source for real: the harness's stand-in tree and its xorriso ISO, and
// the converter's collection for a Windows Server 2022 x86_64 guest from both. The ISO is read
// through a libguestfs appliance (raw, read-only); both must give the same files, all from
// 2k22/amd64.
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { V2vError } from "../../src/model/errors.js";
import { collectDrivers, type CollectedDrivers } from "../../src/converters/windows/virtio-win/collect.js";
import type { WindowsOs } from "../../src/converters/windows/virtio-win/os-dirs.js";
import { locateDriverSource } from "../../src/converters/windows/virtio-win/source.js";
import { ensureVirtioWin, placeholder } from "../../src/harness/guests/windows/virtio-win.js";

const server2022: WindowsOs = { major: 10, minor: 0, variant: "server", arch: "x86_64", osinfo: "win2k22", build: 20348 };

describe("virtio-win drivers for Windows Server 2022 x86_64, from the directory and from the ISO", () => {
  let work: string;
  let fromDir: CollectedDrivers;
  let fromIso: CollectedDrivers;

  beforeAll(async () => {
    const vw = await ensureVirtioWin();
    work = await mkdtemp(join(process.env["VIRT_V2V_TMPDIR"] ?? "/var/tmp", "v2v-virtio-win-"));
    const dirSource = locateDriverSource({ VIRTIO_WIN: vw.dir });
    const isoSource = locateDriverSource({ VIRTIO_WIN: vw.iso });
    expect(dirSource.kind).toBe("dir");
    expect(isoSource.kind).toBe("iso");
    fromDir = await collectDrivers(dirSource, server2022, join(work, "dir"));
    fromIso = await collectDrivers(isoSource, server2022, join(work, "iso"), { tmpDir: work });
  });

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  test("both give the same file names, the same drivers and the same notes", () => {
    expect(fromIso.files.map((f) => f.name)).toEqual(fromDir.files.map((f) => f.name));
    expect([...fromIso.drivers.keys()]).toEqual([...fromDir.drivers.keys()]);
    expect([...fromIso.drivers.values()]).toEqual([...fromDir.drivers.values()]);
    expect(fromIso.notes).toEqual(fromDir.notes);
    expect(fromIso.osDir).toBe("2k22");
  });

  test("the boot, network and other drivers are there; qemufwcfg is left out for fwcfg", () => {
    const names = fromIso.files.map((f) => f.name);
    for (const n of ["viostor.sys", "viostor.inf", "viostor.cat", "vioscsi.sys", "netkvm.inf", "netkvm.sys", "balloon.sys", "viorng.sys", "vioser.sys", "pvpanic.sys", "fwcfg.sys", "viosock.sys"]) {
      expect(names, n).toContain(n);
    }
    expect(names.some((n) => n.startsWith("qemufwcfg."))).toBe(false);
    expect(fromIso.drivers.get("viostor")).toMatchObject({ source: "inf", classGuid: "{4D36E97B-E325-11CE-BFC1-08002BE10318}" });
    expect(fromIso.drivers.get("netkvm")).toMatchObject({ source: "inf", class: "Net" });
  });

  test("every file, from either source, is the 2k22/amd64 one: nothing from w10 or x86", async () => {
    for (const c of [fromDir, fromIso]) {
      for (const f of c.files) {
        const text = (await readFile(f.hostPath)).toString("latin1");
        if (f.name.endsWith(".inf")) {
          expect(text, f.name).toContain("for 2k22/amd64");
          expect(text, f.name).toContain("Models,NTamd64");
        } else {
          expect(text, f.name).toMatch(/virtio-win stand-in: [A-Za-z0-9]+\/2k22\/amd64\//);
        }
        expect(text, f.name).not.toMatch(/\/w10\/|\/x86\//);
      }
    }
    const sys = fromIso.files.find((f) => f.name === "viostor.sys")!;
    expect(await readFile(sys.hostPath)).toEqual(placeholder("viostor/2k22/amd64/viostor.sys"));
  });
});

describe("a VIRTIO_WIN file that is not an ISO", () => {
  test("is refused with one line naming it and the fix, and the appliance is gone", async () => {
    const work = await mkdtemp(join(process.env["VIRT_V2V_TMPDIR"] ?? "/var/tmp", "v2v-virtio-win-bad-"));
    try {
      const bad = join(work, "not-an.iso");
      await writeFile(bad, Buffer.alloc(1024 * 1024));
      const source = locateDriverSource({ VIRTIO_WIN: bad });
      expect(source.kind).toBe("iso");
      const err = await collectDrivers(source, server2022, join(work, "stage"), { tmpDir: work }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(V2vError);
      expect((err as V2vError).code).toBe("BAD_INPUT");
      expect((err as Error).message).toMatch(/not-an\.iso could not be mounted as an ISO image .*point VIRTIO_WIN at the virtio-win ISO or its unpacked directory$/);
      expect((err as Error).message).not.toMatch(/\n/);
      // The session directory (and with it every libguestfs process's marker) is removed.
      expect((await readdir(work)).filter((n) => n.startsWith("v2v-guestfish-"))).toEqual([]);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});
