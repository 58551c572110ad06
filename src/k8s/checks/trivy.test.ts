// Trivy's own good/bad examples (aquasecurity/trivy-checks checks/kubernetes): for every example
// file whose KSV check Triad implements (found through the check aliases), every bad example must
// fail that check and every good example must pass it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { hasSharedData, sharedData } from '../../../test/shared-data.ts';
import { loadManifestText } from '../manifest/index.ts';
import { allCheckMeta, runChecks } from './index.ts';

const DIR = sharedData('k8s', 'trivy-checks', 'checks', 'kubernetes');

/** Trivy's check id for each example file (from the trivy-checks repository). */
const KSV_OF_FILE: Record<string, string> = {
  CPU_not_limited: 'KSV011', CPU_requests_not_specified: 'KSV015', memory_not_limited: 'KSV018', memory_requests_not_specified: 'KSV016',
  uses_image_tag_latest: 'KSV013', file_system_not_read_only: 'KSV014', access_to_host_ports: 'KSV024', can_elevate_its_own_privileges: 'KSV001',
  apparmor_policy_disabled: 'KSV002', capabilities_no_drop_all: 'KSV003', SYS_ADMIN_capability: 'KSV005', mounts_docker_socket: 'KSV006',
  host_ipc: 'KSV008', host_network: 'KSV009', host_pid: 'KSV010', runs_as_root: 'KSV012', privileged: 'KSV017', runs_with_UID_le_10000: 'KSV020',
  runs_with_GID_le_10000: 'KSV021', specific_capabilities_added: 'KSV022', hostpath_volumes_mounted: 'KSV023', selinux_custom_options_set: 'KSV025',
  unsafe_sysctl_options_set: 'KSV026', non_default_proc_masks_set: 'KSV027', non_core_volume_types: 'KSV028', runtime_default_seccomp_profile_not_set: 'KSV030',
  protecting_pod_service_account_tokens: 'KSV036', protect_core_components_namespace: 'KSV037', selector_usage_in_network_policies: 'KSV038',
  tiller_is_deployed: 'KSV102', configMap_with_secrets: 'KSV01010', insecure_ingress_nginx: 'KSV0124',
};

test('agrees with the good/bad examples of every Trivy KSV check Triad implements', (t) => {
  if (!hasSharedData('k8s', 'trivy-checks')) return t.skip('no shared data');
  const mapped: string[] = [];
  const unmapped: string[] = [];
  const wrong: string[] = [];
  let examples = 0;
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort()) {
    const name = file.replace(/\.yaml$/, '');
    const ksv = KSV_OF_FILE[name];
    const ids = allCheckMeta().filter((m) => ksv && (m.aliases ?? []).includes(ksv)).map((m) => m.id);
    if (ids.length === 0) {
      unmapped.push(`${name}${ksv ? ` (${ksv})` : ''}`);
      continue;
    }
    mapped.push(`${ksv} → ${ids.join(', ')}`);
    const doc = parse(readFileSync(join(DIR, file), 'utf8')) as { kubernetes: { good?: string[]; bad?: string[] } };
    for (const [expect, list] of [['good', doc.kubernetes.good ?? []], ['bad', doc.kubernetes.bad ?? []]] as const) {
      list.forEach((text, i) => {
        examples++;
        const { objects, errors } = loadManifestText(text, `${name}.${expect}[${i}]`);
        assert.equal(errors.filter((e) => e.level === 'error').length, 0);
        const failed = runChecks(objects, new Set(ids)).findings;
        if (expect === 'bad' && failed.length === 0) wrong.push(`${name} bad[${i}] passed ${ids.join(', ')}`);
        if (expect === 'good' && failed.length > 0) wrong.push(`${name} good[${i}] failed: ${failed.map((f) => f.message).join(' | ')}`);
      });
    }
  }
  console.log(`Trivy examples: ${examples} examples of ${mapped.length} mapped checks (${mapped.join('; ')}); not implemented: ${unmapped.join(', ')}`);
  assert.deepEqual(wrong, []);
  assert.ok(mapped.length >= 20);
});
