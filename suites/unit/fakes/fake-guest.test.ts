// The fake guest's strict mode: an unscripted command fails the test, naming it, even when the
// code under test swallows the error; scripted calls and { strict: false } do not.
import { describe, expect, test } from "vitest";
import { FakeGuest, FakeUnscriptedError } from "./fake-guest.js";

describe("FakeGuest strict mode (the default)", () => {
  test("an unscripted command throws an error naming it and how to script it", async () => {
    const g = new FakeGuest({ strict: true });
    const err = await g.command(["update-initramfs", "-u"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FakeUnscriptedError);
    expect((err as Error).message).toBe(
      'fake guest (strict): unscripted command: "update-initramfs -u"; script it with guest.on(match, result), or pass { strict: false }');
    expect(() => g.assertAllScripted()).toThrow(/1 unscripted call\(s\): command "update-initramfs -u"/);
    g.unscripted.length = 0; // this test expected it; do not fail it at the end
  });

  test.fails("an unscripted script whose error the code under test swallows still fails the test", async () => {
    const g = new FakeGuest();
    await g.sh("findmnt -n -o SOURCE --mountpoint / || true").catch(() => "");
  });

  test("scripted calls pass; the newest matching handler wins", async () => {
    const g = new FakeGuest().on("dpkg", "old").on(/^dpkg --purge /, "new");
    expect(await g.command(["dpkg", "--purge", "x"])).toBe("new");
    expect(await g.command(["dpkg", "-l"])).toBe("old");
  });

  test("{ strict: false }: unscripted calls succeed with an empty output", async () => {
    const g = new FakeGuest({ strict: false });
    expect(await g.sh("anything")).toBe("");
    expect(g.unscripted).toEqual([]);
  });
});

describe("FakeGuest roots", () => {
  test("mountRoot shows that root's files only", async () => {
    const g = new FakeGuest({ rootFiles: { "/dev/sda1": { "/etc/hostname": "a\n" }, "/dev/sdb1": { "/etc/hostname": "b\n" } } });
    expect(g.file("/etc/hostname")).toBeUndefined();
    await g.mountRoot({ root: "/dev/sdb1" } as Parameters<FakeGuest["mountRoot"]>[0]);
    expect(g.mountedRoot).toBe("/dev/sdb1");
    expect(g.file("/etc/hostname")).toBe("b\n");
  });
});
