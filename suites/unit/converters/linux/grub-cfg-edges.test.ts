// grub.cfg reading and GRUB_DEFAULT writing at the edges Stryker found untested: the lexer's
// quotes and backslashes, blocks that are not entries, every default spelling, kernel names, recovery
// entries, which lines are rewritten, and grubenv. Pure.
import { describe, expect, test } from "vitest";
import {
  defaultSpecForKernel, entryKernelVersion, entryRootArg, findDefaultEntry, parseGrubCfg, parseSavedEntry,
  rewriteGrubCfgDevices, setGrubDefault, splitGrubWords, type GrubEntry,
} from "../../../../src/converters/linux/grub-cfg.js";
import { makeVirtioRenamer } from "../../../../src/converters/linux/device-names.js";

describe("splitGrubWords", () => {
  test.each([
    ["menuentry 'Debian GNU/Linux' --class debian {", ["menuentry", "Debian GNU/Linux", "--class", "debian", "{"]],
    ['echo "a \\"b\\" c\\\\d"', ["echo", 'a "b" c\\d']],
    ["'a'\"b\"c", ["abc"]],
    ["'' \"\"", ["", ""]],
    ["  a \t  b  ", ["a", "b"]],
    ["a\\ b", ["a b"]],
    ["a\\", ["a\\"]],
    ["'unterminated", ["unterminated"]],
    ['"unterminated', ["unterminated"]],
    ['"ends in a backslash\\', ["ends in a backslash\\"]],
    ["", []],
  ])("%j", (line, words) => {
    expect(splitGrubWords(line)).toEqual(words);
  });
});

const entry = (title: string, kernel: string, args: string, id?: string): string =>
  `menuentry '${title}' --class debian ${id ? `$menuentry_id_option '${id}' ` : ""}{\n  linux ${kernel} ${args}\n}\n`;

describe("parseGrubCfg", () => {
  test("comments, blank lines and a stray '}' are ignored; entries inside other blocks still count", () => {
    const menu = parseGrubCfg(`# comment\n\n}\nfunction load_video {\n  insmod all_video\n}\nif [ x ]; then\n${entry("A", "/vmlinuz-1", "root=/dev/sda1 ro")}fi\n`);
    expect(menu).toEqual({ defaultSpec: "0", items: [{ kind: "entry", title: "A", kernel: "/vmlinuz-1", args: ["root=/dev/sda1", "ro"] }] });
  });

  test("linux16 and linuxefi are kernel lines, linuxfoo is not; an entry without one has no kernel key", () => {
    const menu = parseGrubCfg("menuentry 'a' {\n  linux16 /vmlinuz-1 x\n}\nmenuentry 'b' {\n  linuxefi /vmlinuz-2 y\n}\nmenuentry 'c' {\n  linuxfoo /vmlinuz-3 z\n}\n");
    expect(menu.items).toEqual([
      { kind: "entry", title: "a", kernel: "/vmlinuz-1", args: ["x"] },
      { kind: "entry", title: "b", kernel: "/vmlinuz-2", args: ["y"] },
      { kind: "entry", title: "c", args: [] },
    ]);
    expect(menu.items[2]).not.toHaveProperty("kernel");
    expect(menu.items[2]).not.toHaveProperty("id");
  });

  test("ids come from $menuentry_id_option or --id; a linux line outside an entry is not a kernel", () => {
    const menu = parseGrubCfg("linux /vmlinuz-0 root=/dev/sdz1\nsubmenu 'Advanced' --id adv {\n" + entry("B", "/vmlinuz-2", "", "b-id") + "}\n");
    expect(menu.items).toEqual([{ kind: "submenu", title: "Advanced", id: "adv", items: [{ kind: "entry", title: "B", id: "b-id", kernel: "/vmlinuz-2", args: [] }] }]);
  });

  test.each([
    ['set default="2"', "2"], ["set default=", "0"], ['set default="${next_entry}"', "0"], ["set timeout=5", "0"],
    ['set default="adv>b-id"', "adv>b-id"], ["  set default=1", "1"],
  ])("%s -> default %j", (line, spec) => {
    expect(parseGrubCfg(`${line}\n`).defaultSpec).toBe(spec);
  });
});

describe("findDefaultEntry", () => {
  const menu = parseGrubCfg(
    entry("Debian", "/vmlinuz-6.1.0-13-amd64", "root=/dev/sda1") +
    "submenu 'Advanced options' $menuentry_id_option 'adv' {\n" +
    entry("Debian, 6.1.0-12", "/vmlinuz-6.1.0-12-amd64", "root=/dev/sda1", "e12") +
    entry("Debian, 6.1.0-11", "/vmlinuz-6.1.0-11-amd64", "root=/dev/sda1", "e11") +
    "}\n",
  );
  const title = (spec: string, saved?: string): string | undefined => findDefaultEntry({ ...menu, defaultSpec: spec }, saved)?.title;

  test.each([
    ["0", "Debian"], ["1>1", "Debian, 6.1.0-11"], ["adv>e12", "Debian, 6.1.0-12"], ["Advanced options>e11", "Debian, 6.1.0-11"],
    ["1", "Debian, 6.1.0-12"], ["adv", "Debian, 6.1.0-12"], ["01", "Debian, 6.1.0-12"],
  ])("%j boots %j", (spec, expected) => {
    expect(title(spec)).toBe(expected);
  });

  test.each(["2", "0>1", "adv>9", "nope", "1x", "adv>e12>0"])("%j boots nothing", (spec) => {
    expect(title(spec)).toBeUndefined();
  });

  test("${saved_entry} follows grubenv; empty or missing means the first entry", () => {
    expect(title("${saved_entry}", "adv>e11")).toBe("Debian, 6.1.0-11");
    expect(title("${saved_entry}", "")).toBe("Debian");
    expect(title("${saved_entry}")).toBe("Debian");
  });
});

describe("entries", () => {
  const e = (kernel: string | undefined, args: string[] = [], title = "t"): GrubEntry => ({ kind: "entry", title, ...(kernel ? { kernel } : {}), args });

  test.each([
    ["/boot/vmlinuz-6.1.0-13-amd64", "6.1.0-13-amd64"], ["vmlinuz-5.10", "5.10"], ["/vmlinuz-6.1.0.efi.signed", "6.1.0"],
    ["/boot/myvmlinuz-1", undefined], ["/boot/vmlinuz-", undefined], [undefined, undefined],
  ])("kernel %j is release %j", (kernel, version) => {
    expect(entryKernelVersion(e(kernel))).toBe(version);
  });

  test("root= is read from the arguments, undefined without one", () => {
    expect(entryRootArg(e("/vmlinuz-1", ["ro", "root=UUID=abc", "quiet"]))).toBe("UUID=abc");
    expect(entryRootArg(e("/vmlinuz-1", ["ro", "rootwait"]))).toBeUndefined();
  });

  test("defaultSpecForKernel skips recovery entries (by title or 'single') and names items by id, else index", () => {
    const menu = parseGrubCfg(
      entry("Debian (recovery mode)", "/vmlinuz-2", "single") +
      "submenu 'More' {\n" + entry("x", "/vmlinuz-2", "single") + entry("y", "/vmlinuz-2", "ro", "y-id") + "}\n" +
      entry("Debian", "/vmlinuz-3", "ro"),
    );
    expect(defaultSpecForKernel(menu, "2")).toBe("1>y-id");
    expect(defaultSpecForKernel(menu, "3")).toBe("2");
    expect(defaultSpecForKernel(menu, "4")).toBeUndefined();
    const recoveryOnly = parseGrubCfg(entry("Debian (Recovery Mode)", "/vmlinuz-5", "ro"));
    expect(defaultSpecForKernel(recoveryOnly, "5")).toBeUndefined();
  });
});

describe("rewriteGrubCfgDevices", () => {
  test("only linux/linux16/linuxefi lines change; unknown disks are listed once", () => {
    const text = [
      "set root='hd0,msdos1'", "search --set=root /dev/sda1", "  linux16 /vmlinuz-1 root=/dev/sda1 resume=/dev/sdc2",
      "\tlinuxefi /vmlinuz-2 root=/dev/sdb1 resume=/dev/sdc2", "linuxfoo root=/dev/sda1", "initrd /dev/sda1", "linux\t/vmlinuz-3 root=/dev/sda2",
    ].join("\n");
    const r = rewriteGrubCfgDevices(text, makeVirtioRenamer(2));
    expect(r.text.split("\n")).toEqual([
      "set root='hd0,msdos1'", "search --set=root /dev/sda1", "  linux16 /vmlinuz-1 root=/dev/vda1 resume=/dev/sdc2",
      "\tlinuxefi /vmlinuz-2 root=/dev/vdb1 resume=/dev/sdc2", "linuxfoo root=/dev/sda1", "initrd /dev/sda1", "linux\t/vmlinuz-3 root=/dev/vda2",
    ]);
    expect(r.unknown).toEqual(["/dev/sdc2"]);
    expect(r.renamed).toEqual([{ from: "/dev/sda1", to: "/dev/vda1" }, { from: "/dev/sdb1", to: "/dev/vdb1" }, { from: "/dev/sda2", to: "/dev/vda2" }]);
  });
});

describe("setGrubDefault and grubenv", () => {
  test("the active line is replaced in place, export kept; the value is escaped for the shell's double quotes", () => {
    expect(setGrubDefault('A=1\n  export GRUB_DEFAULT=0\nB=2\n', 'a"b$c`d\\e')).toBe('A=1\n  export GRUB_DEFAULT="a\\"b\\$c\\`d\\\\e"\nB=2\n');
    expect(setGrubDefault("#GRUB_DEFAULT=3\nGRUB_DEFAULT=saved\n", "x")).toBe('#GRUB_DEFAULT=3\nGRUB_DEFAULT="x"\n');
  });

  test("without one, a line is appended, after a newline if the file lacks a final one", () => {
    expect(setGrubDefault("", "0")).toBe('GRUB_DEFAULT="0"\n');
    expect(setGrubDefault("A=1", "0")).toBe('A=1\nGRUB_DEFAULT="0"\n');
    expect(setGrubDefault("A=1\n", "0")).toBe('A=1\nGRUB_DEFAULT="0"\n');
    expect(setGrubDefault("# GRUB_DEFAULT=1\n", "0")).toBe('# GRUB_DEFAULT=1\nGRUB_DEFAULT="0"\n');
  });

  test.each([
    ["# GRUB Environment Block\nsaved_entry=gnulinux-advanced>gnulinux-6.1\n####", "gnulinux-advanced>gnulinux-6.1"],
    ["saved_entry= 1 \n", "1"], ["saved_entry=\n", undefined], ["next_saved_entry=2\n", undefined], ["#saved_entry=2\n", undefined], ["", undefined],
  ])("grubenv %j: saved_entry %j", (env, saved) => {
    expect(parseSavedEntry(env)).toBe(saved);
  });
});
