// The real image the image-misconfiguration tests scan: a Debian image built by Docker from
// Debian packages (test/infra/debian-image.ts) with the problems the checks look for planted by
// ordinary Dockerfile instructions, on top of a base whose own setuid binaries must NOT be reported.
import type { DebianRecipe } from '../../../test/infra/debian-image.ts';

export const MISCONFIG_RECIPE: DebianRecipe = {
  name: 'misconfig',
  packages: [['sudo', 'openssh-server']],
  extraDockerfile: [
    // apt lists left behind on purpose (no cleanup in this RUN).
    'RUN apt-get update -q && apt-get install -y -q --no-install-recommends file',
    'RUN cp /bin/true /usr/local/bin/suid-true && chmod 4755 /usr/local/bin/suid-true && cp /bin/true /usr/local/bin/sgid-true && chmod 2755 /usr/local/bin/sgid-true ' +
      '&& mkdir -p /opt/shared /opt/tmp /root/.cache/pip && chmod 0777 /opt/shared && chmod 1777 /opt/tmp && echo "{}" > /root/.cache/pip/selfcheck.json',
    'ENV DB_PASSWORD=hunter2-s3cret APP_HOME=/opt/app GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D',
    'EXPOSE 22 5432 8080',
    // A real `curl | sh` pipeline in the history without network: curl is a shell function here.
    'RUN curl() { echo true; }; curl -fsSL http://127.0.0.1/install.sh | sh',
  ].join('\n'),
};
