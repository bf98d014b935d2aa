import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import {
  defaultSpecForKernel, entryKernelVersion, entryRootArg, findDefaultEntry, parseGrubCfg, parseSavedEntry,
  rewriteGrubCfgDevices, setGrubDefault, splitGrubWords,
} from "../../../../src/converters/linux/grub-cfg.js";
import { makeApplianceRenamer } from "../../../../src/converters/linux/root-check.js";

const UUID = "0b6c2f8e-6d3b-4f0e-9a51-2f3c1d9e7a10";
const cfg = readFileSync(new URL("fixtures/debian12-grub.cfg", import.meta.url), "utf8");

describe("splitGrubWords", () => {
  test("quotes, escaped quotes and variables", () => {
    expect(splitGrubWords(`menuentry 'It'\\''s "x"' --class os $menuentry_id_option 'id-1' {`))
      .toEqual(["menuentry", `It's "x"`, "--class", "os", "$menuentry_id_option", "id-1", "{"]);
    expect(splitGrubWords(`set default="\${next_entry}"`)).toEqual(["set", "default=${next_entry}"]);
  });
});

describe("parseGrubCfg on a Debian 12 grub.cfg", () => {
  const menu = parseGrubCfg(cfg);

  test("menu tree: one entry and a submenu of four", () => {
    expect(menu.items.map((i) => [i.kind, i.title])).toEqual([
      ["entry", "Debian GNU/Linux"],
      ["submenu", "Advanced options for Debian GNU/Linux"],
    ]);
    const sub = menu.items[1];
    expect(sub?.kind === "submenu" ? sub.items.map((i) => i.id) : []).toEqual([
      `gnulinux-6.1.0-13-amd64-advanced-${UUID}`, `gnulinux-6.1.0-13-amd64-recovery-${UUID}`,
      `gnulinux-6.1.0-9-amd64-advanced-${UUID}`, `gnulinux-6.1.0-9-amd64-recovery-${UUID}`,
    ]);
  });

  test("the default is set default=\"0\", not the one-shot next_entry", () => {
    expect(menu.defaultSpec).toBe("0");
    const e = findDefaultEntry(menu);
    expect(e?.title).toBe("Debian GNU/Linux");
    expect(e && entryKernelVersion(e)).toBe("6.1.0-13-amd64");
    expect(e && entryRootArg(e)).toBe(`UUID=${UUID}`);
    expect(e?.args).toEqual([`root=UUID=${UUID}`, "ro", "console=tty0", "quiet"]);
  });

  test("defaults given as a path, an id, a title or ${saved_entry}", () => {
    const withDefault = (spec: string) => ({ ...menu, defaultSpec: spec });
    expect(entryKernelVersion(findDefaultEntry(withDefault("1>2"))!)).toBe("6.1.0-9-amd64");
    expect(findDefaultEntry(withDefault(`gnulinux-advanced-${UUID}>gnulinux-6.1.0-9-amd64-recovery-${UUID}`))?.args).toContain("single");
    expect(entryKernelVersion(findDefaultEntry(withDefault("Advanced options for Debian GNU/Linux>Debian GNU/Linux, with Linux 6.1.0-9-amd64"))!))
      .toBe("6.1.0-9-amd64");
    expect(entryKernelVersion(findDefaultEntry(withDefault("${saved_entry}"), "1>2")!)).toBe("6.1.0-9-amd64");
    expect(findDefaultEntry(withDefault("${saved_entry}"))?.title).toBe("Debian GNU/Linux");
    expect(findDefaultEntry(withDefault("7"))).toBeUndefined();
  });

  test("defaultSpecForKernel finds the normal entry, not recovery", () => {
    expect(defaultSpecForKernel(menu, "6.1.0-9-amd64")).toBe(`gnulinux-advanced-${UUID}>gnulinux-6.1.0-9-amd64-advanced-${UUID}`);
    expect(defaultSpecForKernel(menu, "6.1.0-13-amd64")).toBe(`gnulinux-simple-${UUID}`);
    expect(defaultSpecForKernel(menu, "5.10.0-26-amd64")).toBeUndefined();
  });

  test("without ids, the spec uses indexes", () => {
    const noIds = parseGrubCfg(cfg.replace(/ \$menuentry_id_option '[^']*'/g, ""));
    expect(defaultSpecForKernel(noIds, "6.1.0-9-amd64")).toBe("1>2");
  });
});

describe("rewriting grub.cfg", () => {
  test("appliance names on linux lines become target names; nothing else changes", () => {
    const leaked = cfg.replaceAll(`root=UUID=${UUID}`, "root=/dev/sda1");
    const r = rewriteGrubCfgDevices(leaked, makeApplianceRenamer(["/dev/sda"], "vd"));
    expect(r.renamed).toHaveLength(5);
    expect(r.text).toBe(cfg.replaceAll(`root=UUID=${UUID}`, "root=/dev/vda1"));
    expect(r.text).toContain("set root='hd0,msdos1'");
  });

  test("setGrubDefault replaces the active line or appends one", () => {
    expect(setGrubDefault("#GRUB_DEFAULT=2\nGRUB_DEFAULT=0\nGRUB_TIMEOUT=5\n", "a>b"))
      .toBe('#GRUB_DEFAULT=2\nGRUB_DEFAULT="a>b"\nGRUB_TIMEOUT=5\n');
    expect(setGrubDefault("GRUB_TIMEOUT=5", "x")).toBe('GRUB_TIMEOUT=5\nGRUB_DEFAULT="x"\n');
  });

  test("grubenv saved_entry", () => {
    expect(parseSavedEntry("# GRUB Environment Block\nsaved_entry=1>2\n#####")).toBe("1>2");
    expect(parseSavedEntry("# GRUB Environment Block\n#####")).toBeUndefined();
  });
});
