// Prints the path of a reference guest's OVA, building it first when the cache lacks it
// (progress on stderr, the path alone on stdout). Used by scripts/demo.sh.
import { findRecipe } from "../guests/recipes.js";
import { ensureGuestOva } from "../guests/package-ova.js";

const name = process.argv[2] ?? "debian-12-bios";
ensureGuestOva(findRecipe(name), (m) => process.stderr.write(`images: ${m}\n`)).then(
  (ova) => process.stdout.write(`${ova.path}\n`),
  (e: unknown) => {
    process.stderr.write(`images: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
