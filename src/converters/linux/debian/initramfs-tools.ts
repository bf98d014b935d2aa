// initramfs-tools, the Debian family's initramfs tool (dracut when a guest replaced it). It always
// includes the modules listed in /etc/initramfs-tools/modules, whatever MODULES= says
// (MODULES=list includes nothing else). MODULES=dep would size the image for the hardware the
// build runs on, which here is the libguestfs appliance, so it becomes MODULES=most.
import { V2vError } from "../../../model/errors.js";
import type { GuestHandle } from "../../../model/guest-handle.js";
import { dracutBuilder } from "../dracut.js";
import type { InitramfsBuilder, InitramfsTool } from "../family.js";
import { editGuestFile, hasGuestProgram, listGuestFiles, runGuestCommand } from "../guest-files.js";
import { REBUILD_TIMEOUT_MS } from "../initramfs.js";
import type { InstalledKernel } from "../kernels.js";
import type { StepLog } from "../../step-log.js";

const CONFIG_DIR = "/etc/initramfs-tools";
const MODULES_FILE = `${CONFIG_DIR}/modules`;
const INITRAMFS_CONF = `${CONFIG_DIR}/initramfs.conf`;
const UPDATE_CONF = `${CONFIG_DIR}/update-initramfs.conf`;
const ADDED_COMMENT = "# virtio drivers for the KVM target, added by v2v";

/** Append the modules that the file does not list yet (first word of each line), keeping everything else. */
export function addInitramfsModules(text: string, modules: readonly string[]): { text: string; added: readonly string[] } {
  const listed = new Set(
    text.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#")).map((l) => l.split(/\s+/)[0]!.replace(/-/g, "_")),
  );
  const added = modules.filter((m) => !listed.has(m.replace(/-/g, "_")));
  if (added.length === 0) return { text, added };
  const base = text === "" || text.endsWith("\n") ? text : `${text}\n`;
  return { text: `${base}${ADDED_COMMENT}\n${added.join("\n")}\n`, added };
}

/** MODULES=dep -> MODULES=most on uncommented lines, keeping any quotes. */
export function switchModulesDepToMost(text: string): { text: string; changed: boolean } {
  let changed = false;
  const out = text.replace(/^(\s*MODULES\s*=\s*)(["']?)dep\2(\s*(#.*)?)$/gm, (_m, pre: string, q: string, post: string) => {
    changed = true;
    return `${pre}${q}most${q}${post}`;
  });
  return { text: out, changed };
}

/** True when update-initramfs.conf says update_initramfs=no, which makes "update-initramfs -u" do nothing. */
export const disablesUpdates = (conf: string): boolean => /^\s*update_initramfs\s*=\s*["']?no["']?\s*$/m.test(conf);

async function configure(g: GuestHandle, modules: readonly string[], log: StepLog): Promise<void> {
  let added: readonly string[] = [];
  if (await g.isFile(MODULES_FILE)) {
    await editGuestFile(g, MODULES_FILE, (t) => { const r = addInitramfsModules(t, modules); added = r.added; return r.text; });
  } else {
    const r = addInitramfsModules("", modules);
    added = r.added;
    await g.writeFile(MODULES_FILE, r.text);
  }
  if (added.length > 0) log.change(`added ${added.join(", ")} to ${MODULES_FILE}`);
  const confs = [INITRAMFS_CONF, ...(await listGuestFiles(g, `${CONFIG_DIR}/conf.d`, /^[^.]/))];
  for (const conf of confs) {
    if (await editGuestFile(g, conf, (t) => switchModulesDepToMost(t).text)) {
      log.change(`changed MODULES=dep to MODULES=most in ${conf}: "dep" would pick the conversion appliance's drivers, not the target's`);
    }
  }
}

async function run(g: GuestHandle, k: InstalledKernel, image: string, log: StepLog): Promise<void> {
  const advice = `Check that the guest's initramfs-tools work (e.g. enough free space in /boot) and retry.`;
  const purpose = `rebuilding the initramfs of kernel ${k.version}`;
  const updatesOff = (await g.isFile(UPDATE_CONF)) && disablesUpdates(await g.readFile(UPDATE_CONF));
  if (!k.initrd) {
    await runGuestCommand(g, ["update-initramfs", "-c", "-k", k.version], purpose, advice, REBUILD_TIMEOUT_MS);
  } else if (updatesOff) {
    // update-initramfs -u would exit 0 without doing anything; mkinitramfs ignores that setting.
    log.note(`${UPDATE_CONF} sets update_initramfs=no; running mkinitramfs directly`);
    await runGuestCommand(g, ["mkinitramfs", "-o", image, k.version], purpose, advice, REBUILD_TIMEOUT_MS);
  } else {
    await runGuestCommand(g, ["update-initramfs", "-u", "-k", k.version], purpose, advice, REBUILD_TIMEOUT_MS);
  }
}

export const initramfsToolsBuilder: InitramfsBuilder = {
  name: "initramfs-tools",
  async rebuild(g, k, image, modules, log) {
    await configure(g, modules, log);
    await run(g, k, image, log);
  },
};

export const debianInitramfs: InitramfsTool = {
  configDir: CONFIG_DIR,
  // initramfs-tools bakes RESUME= into the image.
  resumeFiles: [`${CONFIG_DIR}/conf.d/resume`, INITRAMFS_CONF],
  async findBuilder(g, k) {
    if ((await g.isDir(CONFIG_DIR)) && (await hasGuestProgram(g, "update-initramfs"))) return initramfsToolsBuilder;
    if (await hasGuestProgram(g, "dracut")) return dracutBuilder;
    throw new V2vError("CONVERSION",
      `the guest has neither initramfs-tools (update-initramfs) nor dracut, so the initramfs of kernel ${k.version} `
      + `cannot be rebuilt with the virtio drivers; install initramfs-tools in the guest and convert it again.`);
  },
};
