// Live cluster input for the posture scan and the RBAC queries (see load.ts).
export { loadCluster, ownedByListed, clusterLocation, type ClusterLoadOptions, type ClusterLoadResult } from './load.ts';
export { connect, ClusterError, type ClusterConnection, type KubeconfigOptions } from './kubeconfig.ts';
export { scanCluster, type ClusterScanRequest, type ClusterScan } from './scan-cluster.ts';
export { SCAN_RESOURCES, RBAC_KINDS, listPath, type ApiResource } from './resources.ts';
