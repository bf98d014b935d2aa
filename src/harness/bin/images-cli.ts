// `npm run images [NAME...]`: build (or find in the cache) every reference guest's disks and OVA
// and the qemu runner image, with a progress line per step, then print where everything is.
import { ensureGuestDisks } from "../guests/builders.js";
import { cacheDir } from "../guests/cache.js";
import { findRecipe, RECIPES, validateRecipes, type GuestRecipe } from "../guests/recipes.js";
import { ensureGuestOva } from "../guests/package-ova.js";
import { ensureQemuImage } from "../boot/container-image.js";

const t0 = Date.now();
const stamp = (): string => `[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}]`;
const say = (line: string): void => void process.stdout.write(`${stamp()} ${line}\n`);

const USAGE = `usage: npm run images -- [--no-qemu-image] [--no-ova] [NAME...]
Builds the reference guests (all of them when no NAME is given) into ${cacheDir()}
(set V2V_CACHE_DIR to move it). Known guests: ${RECIPES.map((r) => r.name).join(", ")}`;

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes("-h") || argv.includes("--help")) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const problems = validateRecipes(RECIPES);
  if (problems.length > 0) {
    for (const p of problems) process.stderr.write(`images: ${p}\n`);
    return 1;
  }
  const names = argv.filter((a) => !a.startsWith("--"));
  const recipes: GuestRecipe[] = names.length > 0 ? names.map((n) => findRecipe(n)) : [...RECIPES];
  const where: string[] = [];
  if (!argv.includes("--no-qemu-image")) {
    say("qemu runner image");
    const q = await ensureQemuImage(say);
    where.push(`qemu runner image: ${q.image}${q.built ? " (imported now)" : ""}`);
  }
  for (const r of recipes) {
    say(`${r.name}: disks`);
    const g = await ensureGuestDisks(r, say);
    say(`${r.name}: disks ${g.built ? `built in ${g.seconds.toFixed(0)} s` : "from the cache"}`);
    where.push(...g.disks.map((d) => `${r.name} disk: ${d.path}`));
    if (!argv.includes("--no-ova")) {
      const ova = await ensureGuestOva(r, say);
      say(`${r.name}: OVA ${ova.built ? `packaged in ${ova.seconds.toFixed(0)} s` : "from the cache"}`);
      where.push(`${r.name} ova:  ${ova.path}`);
    }
  }
  process.stdout.write(`\nImages (cache: ${cacheDir()}):\n${where.map((w) => `  ${w}\n`).join("")}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`images: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
