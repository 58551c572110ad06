// The image every e2e ground-truth test scans: a real bookworm image built from Debian packages,
// one RUN layer per ecosystem so that layer attribution is observable, and a last RUN that purges
// packages installed earlier so that removals are exercised too.
//
// Layer indices (ARG/ENV/CMD make no layers): 0 = debootstrap'ed base, 1..5 = the package lists
// below in order, 6 = the purge.
import type { DebianRecipe } from '../infra/debian-image.ts';

export const PURGED = ['python3-yaml', 'node-ms'];

export const RECIPE: DebianRecipe = {
  name: 'e2e-ground-truth',
  packages: [
    // Python: dist-packages egg-info/dist-info owned by python3-* debs.
    ['python3-requests', 'python3-yaml'],
    // Java: real jars with pom.properties in /usr/share/java.
    ['libcommons-lang3-java', 'libguava-java'],
    // Ruby: gemspecs under /usr/share/rubygems-integration, plus ruby's own default gems.
    ['ruby-rack'],
    // Go: age and age-keygen are Go binaries built by Debian's toolchain.
    ['age'],
    // npm: Debian installs node modules in /usr/share/nodejs/<name>/package.json.
    ['node-ms', 'node-strip-ansi'],
  ],
  // No apt-get update needed to purge; apt still logs it in /var/log/apt/history.log.
  extraDockerfile: `RUN apt-get purge -y ${PURGED.join(' ')}`,
};

/** Index of the layer made by RECIPE.packages[i]: the base rootfs is layer 0. */
export const packageLayer = (i: number): number => i + 1;
export const PURGE_LAYER = RECIPE.packages.length + 1;
