// triad: command-line entry point. Commands are thin: they parse flags, call a capability, render.
import { Command, Option } from 'commander';
import { VERSION } from '../version.ts';
import { registerDockerfileCommands } from './dockerfile-commands.ts';
import { registerImageCommands } from './image-commands.ts';
import { registerFsCommands } from './fs-commands.ts';
import { registerDbCommands } from './db-commands.ts';
import { registerPolicyCommands } from './policy-commands.ts';
import { registerK8sCommands } from './k8s-commands.ts';
import { registerSignatureCommands } from './signature-commands.ts';
import { registerAdmissionCommands } from './admission-commands.ts';
import { registerAgentCommands } from './agent-commands.ts';

const program = new Command();
program
  .name('triad')
  .description('Container security across Build, Deploy and Run.\n\nScan images for what they contain (SBOM), find what is wrong with them, and keep it that way.')
  .version(VERSION, '-v, --version', 'print the version')
  .addOption(new Option('-q, --quiet', 'suppress progress output').default(false))
  .showHelpAfterError('(run with --help for usage)')
  .configureHelp({ sortSubcommands: false, showGlobalOptions: true })
  .addHelpText(
    'after',
    `
Image references:
  docker-archive:PATH[:TAG]   docker save output (legacy or Docker 25+ OCI-in-tar)
  oci-archive:PATH[:TAG]      OCI image layout in a tar (also containerd exports)
  oci:DIR[:TAG]               OCI image layout directory
  docker-daemon:NAME[:TAG]    image from the local Docker engine
  registry:HOST/REPO[:TAG|@DIGEST]  image from a registry (also a bare HOST/REPO:TAG)
  rootfs:DIR                  a root filesystem directory ('rootfs:/' scans this host)
  PATH                        an archive or directory, detected by content

Examples:
  # Scan an image archive and print its packages and layers
  $ triad image docker-archive:alpine.tar

  # CycloneDX SBOM of an image in a registry, to a file
  $ triad sbom registry:127.0.0.1:5000/app:1.2 --format cyclonedx -o app.cdx.json

  # SPDX SBOM of this host
  $ triad sbom rootfs:/ --format spdx
`,
  );

registerImageCommands(program);
registerDockerfileCommands(program);
registerFsCommands(program);
registerDbCommands(program);
registerPolicyCommands(program);
registerK8sCommands(program);
registerSignatureCommands(program);
registerAdmissionCommands(program);
registerAgentCommands(program);

program.exitOverride();
try {
  await program.parseAsync(process.argv);
} catch (e) {
  const err = e as { code?: string; exitCode?: number };
  if (typeof err.code === 'string' && err.code.startsWith('commander.')) {
    process.exit(err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : (err.exitCode ?? 2));
  }
  throw e;
}
