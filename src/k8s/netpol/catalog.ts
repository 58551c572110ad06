// NetworkPolicy coverage and exposure checks. Aliases name kubescape's controls/rules and Trivy's
// checks for the same concern.
import type { CheckMeta } from '../../misconfig/types.ts';

const NP_DOCS = 'https://kubernetes.io/docs/concepts/services-networking/network-policies/';
const SVC_DOCS = 'https://kubernetes.io/docs/concepts/services-networking/service/';

export const NETPOL_CHECKS = {
  invalid: {
    id: 'TRIAD-K8S-NET-000', title: 'Malformed NetworkPolicy, Service or Ingress', severity: 'MEDIUM',
    rationale: 'The API server rejects or misreads the object; the isolation or routing it describes does not exist.',
    remediation: 'Fix the object as the message says.', references: [NP_DOCS],
  },
  unselected: {
    id: 'TRIAD-K8S-NET-001', title: 'Pods selected by no NetworkPolicy', severity: 'MEDIUM',
    aliases: ['C-0030', 'ingress-and-egress-blocked', 'C-0260', 'ensure_network_policy_configured_in_labels'],
    rationale: 'Pods no policy selects accept traffic from, and send traffic to, anything: a compromised pod elsewhere reaches them freely.',
    remediation: 'Add a default-deny policy to the namespace and policies that allow the traffic the workload needs.', references: [NP_DOCS],
  },
  noIngress: {
    id: 'TRIAD-K8S-NET-002', title: 'Pods not isolated for ingress', severity: 'MEDIUM',
    rationale: 'Policies select these pods but none of them has the Ingress type, so all inbound traffic is allowed.',
    remediation: 'Add Ingress to a selecting policy\'s policyTypes (or a namespace default-deny for ingress).', references: [NP_DOCS],
  },
  noEgress: {
    id: 'TRIAD-K8S-NET-003', title: 'Pods not isolated for egress', severity: 'LOW',
    rationale: 'Policies select these pods but none of them has the Egress type, so the pods can reach anything (exfiltration, lateral movement, metadata endpoints).',
    remediation: 'Add an egress policy (a namespace default-deny for egress plus allowed destinations, DNS included).', references: [NP_DOCS],
  },
  noPolicyInNamespace: {
    id: 'TRIAD-K8S-NET-004', title: 'Namespace has no NetworkPolicy', severity: 'MEDIUM',
    aliases: ['C-0054', 'C-0049', 'C-0206', 'internal-networking'],
    rationale: 'Without any policy every pod of the namespace talks to every pod of the cluster.',
    remediation: 'Add a default-deny NetworkPolicy (podSelector: {}, policyTypes: [Ingress, Egress]) and allow rules.', references: [NP_DOCS],
  },
  noDefaultDeny: {
    id: 'TRIAD-K8S-NET-005', title: 'Namespace has no default-deny NetworkPolicy', severity: 'LOW',
    rationale: 'Policies protect only the pods they select; pods added later, or with other labels, stay open until a default deny covers them.',
    remediation: 'Add a policy with `podSelector: {}` and the missing policyTypes and no rules.', references: [NP_DOCS],
  },
  openIngress: {
    id: 'TRIAD-K8S-NET-006', title: 'NetworkPolicy allows all ingress', severity: 'MEDIUM',
    rationale: 'A rule with no `from`, a 0.0.0.0/0 ipBlock or an empty namespaceSelector admits every source: the policy isolates nothing for those ports.',
    remediation: 'Name the sources (podSelector / namespaceSelector with labels, narrow ipBlocks).', references: [NP_DOCS],
  },
  openEgress: {
    id: 'TRIAD-K8S-NET-007', title: 'NetworkPolicy allows all egress', severity: 'LOW',
    rationale: 'A rule with no `to`, a 0.0.0.0/0 ipBlock or an empty namespaceSelector lets the pods reach any destination.',
    remediation: 'Name the destinations; allow DNS explicitly.', references: [NP_DOCS],
  },
  exposedService: {
    id: 'TRIAD-K8S-NET-008', title: 'Pods exposed outside the cluster by a LoadBalancer or NodePort Service', severity: 'MEDIUM',
    aliases: ['C-0256', 'exposure-to-internet'],
    rationale: 'LoadBalancer and NodePort Services accept traffic from outside the cluster (every node\'s port for NodePort).',
    remediation: 'Use ClusterIP behind an Ingress/Gateway with authentication, restrict loadBalancerSourceRanges, or make the load balancer internal.', references: [SVC_DOCS],
  },
  exposedIngress: {
    id: 'TRIAD-K8S-NET-009', title: 'Pods exposed through an Ingress', severity: 'LOW',
    aliases: ['C-0256', 'exposure-to-internet'],
    rationale: 'An Ingress routes external HTTP(S) traffic to the Service and its pods.',
    remediation: 'Make sure the exposure is intended: TLS, authentication, and an ingress policy that admits only the ingress controller.', references: [SVC_DOCS],
  },
} satisfies Record<string, CheckMeta>;

export const ALL_NETPOL_CHECK_META: CheckMeta[] = Object.values(NETPOL_CHECKS);
