import { describe, expect, test } from "vitest";
import {
  replaceXenConsoleArgs, replaceXenConsolesInGrubDefaults, replaceXenConsolesInInittab,
} from "../../../../src/converters/linux/consoles.js";

describe("Xen consoles", () => {
  test("console=xvc0 and console=hvc0 become ttyS0; other consoles stay", () => {
    const r = replaceXenConsoleArgs("console=tty0 console=xvc0 console=hvc0,115200n8 console=hvc01");
    expect(r).toEqual({ text: "console=tty0 console=ttyS0 console=ttyS0,115200n8 console=hvc01", replaced: 2 });
  });

  test("GRUB defaults: only GRUB_CMDLINE_LINUX* lines", () => {
    const text = '# console=xvc0 in a comment\nGRUB_CMDLINE_LINUX_DEFAULT="console=hvc0"\nGRUB_TERMINAL="console=xvc0"\n';
    expect(replaceXenConsolesInGrubDefaults(text).text)
      .toBe('# console=xvc0 in a comment\nGRUB_CMDLINE_LINUX_DEFAULT="console=ttyS0"\nGRUB_TERMINAL="console=xvc0"\n');
  });

  test("inittab getty lines, comments kept", () => {
    const text = "#co:2345:respawn:/sbin/getty xvc0 9600\nco:2345:respawn:/sbin/getty xvc0 9600 vt100-nav\n1:2345:respawn:/sbin/getty 38400 tty1\n";
    const r = replaceXenConsolesInInittab(text);
    expect(r.replaced).toBe(1);
    expect(r.text).toBe("#co:2345:respawn:/sbin/getty xvc0 9600\nco:2345:respawn:/sbin/getty ttyS0 9600 vt100-nav\n1:2345:respawn:/sbin/getty 38400 tty1\n");
  });
});
