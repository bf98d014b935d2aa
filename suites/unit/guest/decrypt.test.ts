// Opening LUKS volumes before inspection: which key goes to which volume, the lines a user sees
// when a key is missing or wrong, and that no passphrase is ever printed.
import { Readable } from "node:stream";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { describeKey, keysFor, luksMapName, openEncryptedVolumes, unusedSelectors, type KeySources } from "../../../src/guest/decrypt.js";
import { hostKeySources } from "../../../src/host/key-input.js";
import type { LuksKey } from "../../../src/model/types.js";
import { FakeGuest } from "../fakes/fake-guest.js";

const UUID = "2b6f1e4a-8c1d-4f0e-9a51-0123456789ab";

/** sda1 /boot (ext4), sda2 LUKS; sdb1 LUKS too when `two`. */
function guest(two = false): FakeGuest {
  return new FakeGuest({
    devices: ["/dev/sda", ...(two ? ["/dev/sdb"] : [])],
    partitions: {
      "/dev/sda1": { disk: "/dev/sda", number: 1, table: "msdos", mbrId: 0x83 },
      "/dev/sda2": { disk: "/dev/sda", number: 2, table: "msdos", mbrId: 0x83 },
      ...(two ? { "/dev/sdb1": { disk: "/dev/sdb", number: 1, table: "msdos", mbrId: 0x83 } } : {}),
    },
    vfsTypes: { "/dev/sda1": "ext4", "/dev/sda2": "crypto_LUKS", ...(two ? { "/dev/sdb1": "crypto_LUKS" } : {}) },
    blkid: { "/dev/sda2": { TYPE: "crypto_LUKS", UUID }, "/dev/sdb1": { TYPE: "crypto_LUKS", UUID: "11111111-2222-3333-4444-555555555555" } },
    luksPassphrases: { "/dev/sda2": "right horse", "/dev/sdb1": "second" },
  });
}

const sources = (keys: LuksKey[], stdin: string[] = [], fromStdin = false, files: Record<string, string> = {}): KeySources => {
  let i = 0;
  return {
    keys, keysFromStdin: fromStdin,
    readKeyFile: async (f) => { const v = files[f]; if (v === undefined) throw new Error(`no file ${f}`); return v; },
    nextStdinKey: async () => stdin[i++],
  };
};

describe("choosing keys", () => {
  test("map names are virt-v2v's: crypt + the device name's letters and digits", () => {
    expect(luksMapName("/dev/sda2")).toBe("cryptsda2");
    expect(luksMapName("/dev/vg0/lv-1")).toBe("cryptvg0lv1");
  });

  test("a key names a volume by device or by UUID (case and dashes ignored), in command-line order", () => {
    const keys: LuksKey[] = [
      { selector: "/dev/sdb1", kind: "key", passphrase: "x" },
      { selector: UUID.toUpperCase().replace(/-/g, ""), kind: "file", file: "/k" },
      { selector: "/dev/sda2", kind: "key", passphrase: "y" },
    ];
    expect(keysFor({ device: "/dev/sda2", uuid: UUID }, keys)).toEqual([keys[1], keys[2]]);
    expect(unusedSelectors([{ device: "/dev/sda2", uuid: UUID }], keys)).toEqual(["/dev/sdb1"]);
    expect(describeKey(keys[0]!)).toBe("--key /dev/sdb1:key:…");
    expect(describeKey(keys[1]!)).toMatch(/:file:\/k$/);
  });
});

describe("openEncryptedVolumes", () => {
  test("a guest without LUKS opens nothing and rescans nothing", async () => {
    const g = new FakeGuest({ devices: ["/dev/sda"], partitions: { "/dev/sda1": { disk: "/dev/sda", number: 1, table: "msdos" } }, vfsTypes: { "/dev/sda1": "ext4" } });
    expect(await openEncryptedVolumes(g, sources([]), () => undefined)).toEqual([]);
    expect(g.ops).toEqual([]);
  });

  test("the right --key opens the volume as cryptsda2, then LVM is activated", async () => {
    const g = guest();
    const opened = await openEncryptedVolumes(g, sources([{ selector: "/dev/sda2", kind: "key", passphrase: "right horse" }]), () => undefined);
    expect(opened).toEqual(["/dev/sda2"]);
    expect(g.ops).toEqual(["cryptsetup-open /dev/sda2 cryptsda2", "vg-activate-all"]);
  });

  test("keys are tried in order: a wrong one, then a key file found by UUID", async () => {
    const g = guest();
    const keys: LuksKey[] = [{ selector: "/dev/sda2", kind: "key", passphrase: "wrong" }, { selector: UUID, kind: "file", file: "/root/k" }];
    await openEncryptedVolumes(g, sources(keys, [], false, { "/root/k": "right horse" }), () => undefined);
    expect(g.calls.filter((c) => c.text.startsWith("cryptsetup-open"))).toHaveLength(2);
    expect(g.ops).toContain("cryptsetup-open /dev/sda2 cryptsda2");
  });

  test("--keys-from-stdin gives the volumes no --key names one line each, in device order", async () => {
    const g = guest(true);
    await openEncryptedVolumes(g, sources([], ["right horse", "second"], true), () => undefined);
    expect(g.ops).toEqual(["cryptsetup-open /dev/sda2 cryptsda2", "cryptsetup-open /dev/sdb1 cryptsdb1", "vg-activate-all"]);
  });

  test("no key: one line naming the volume, its UUID and the three ways to give one", async () => {
    await expect(openEncryptedVolumes(guest(), sources([]), () => undefined)).rejects.toThrow(
      `/dev/sda2 (LUKS UUID ${UUID}) is encrypted with LUKS and no passphrase was given for it: add --key /dev/sda2:key:PASSPHRASE, --key /dev/sda2:file:FILE or --keys-from-stdin`,
    );
  });

  test("a wrong key: one line naming what was tried, never the passphrase", async () => {
    const err = await openEncryptedVolumes(guest(), sources([{ selector: "/dev/sda2", kind: "key", passphrase: "hunter2" }], ["also-wrong"], true), () => undefined)
      .then(() => undefined, (e: Error) => e);
    expect(err?.message).toBe(`/dev/sda2 (LUKS UUID ${UUID}): the passphrase from --key /dev/sda2:key:…, then the next line of stdin does not open it; check the passphrase (a key file's first line is used)`);
    expect(err?.message).not.toMatch(/hunter2|also-wrong/);
  });

  test("a --key that names no encrypted volume is a warning", async () => {
    const warnings: string[] = [];
    await openEncryptedVolumes(guest(), sources([{ selector: "/dev/sda2", kind: "key", passphrase: "right horse" }, { selector: "/dev/sda1", kind: "key", passphrase: "z" }]), (w) => warnings.push(w));
    expect(warnings).toEqual(["--key /dev/sda1: no LUKS volume has this device name or UUID; it was not used"]);
  });
});

describe("host key sources", () => {
  test("a key file gives its first line; a missing one is named", async () => {
    const dir = mkdtempSync(join(tmpdir(), "v2v-keys-"));
    writeFileSync(join(dir, "k"), "pass phrase\nsecond line\n");
    const s = hostKeySources([], false, Readable.from([]));
    expect(await s.readKeyFile(join(dir, "k"))).toBe("pass phrase");
    await expect(s.readKeyFile(join(dir, "nope"))).rejects.toThrow(`--key ...:file:${join(dir, "nope")}: cannot read the key file (ENOENT); check the path`);
  });

  test("stdin is read once and handed out a line at a time, then undefined", async () => {
    const s = hostKeySources([], true, Readable.from([Buffer.from("one\r\ntw"), Buffer.from("o\n")]));
    expect([await s.nextStdinKey(), await s.nextStdinKey(), await s.nextStdinKey()]).toEqual(["one", "two", undefined]);
  });
});
