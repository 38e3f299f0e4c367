#!/usr/bin/env bash
# The generate command of the gateway-compat Config Management Plugin (plugin.yaml). Argo CD's CMP
# server runs it in the application's folder, with ARGOCD_APP_NAME, ARGOCD_APP_NAMESPACE,
# KUBE_VERSION, KUBE_API_VERSIONS and the Application's plugin env as ARGOCD_ENV_<name>; stdout
# must be the manifests, and a non-zero exit fails the sync with stderr shown.
#
#   ARGOCD_ENV_HELM_VALUES          values files, space-separated, relative to the app's folder
#   ARGOCD_ENV_GATEWAY_COMPAT_ARGS  gateway-compat flags, space-separated (--net-bind-service ...)
#
# The env values come from whoever may edit an Application: they are split into words but never
# evaluated (no globbing, no command substitution), values files must stay inside the folder, and
# gateway-compat's file modes are refused, so the plugin only ever prints manifests.
set -euo pipefail
set -f

fail() {
  echo "gateway-compat CMP: $*" >&2
  exit 1
}

[ -n "${ARGOCD_APP_NAME:-}" ] || fail "ARGOCD_APP_NAME is not set: Argo CD's CMP server sets it; to try this by hand, set it to the release name"
[ -f Chart.yaml ] || fail "no Chart.yaml in $(pwd): the Application's path must be a Helm chart"

helm_args=(template "$ARGOCD_APP_NAME" . --namespace "${ARGOCD_APP_NAMESPACE:-default}")
for file in ${ARGOCD_ENV_HELM_VALUES:-}; do
  case "$file" in
    /* | ../* | */../* | .. | */..) fail "values file \"$file\" must be a path inside the application's folder" ;;
  esac
  [ -f "$file" ] || fail "values file \"$file\" does not exist in the application's folder"
  helm_args+=(--values "$file")
done
if [ -n "${KUBE_VERSION:-}" ]; then helm_args+=(--kube-version "$KUBE_VERSION"); fi
apis="${KUBE_API_VERSIONS:-}"
for api in ${apis//,/ }; do helm_args+=(--api-versions "$api"); done

fix_args=()
for arg in ${ARGOCD_ENV_GATEWAY_COMPAT_ARGS:-}; do
  case "$arg" in
    --write* | --check* | --diff*) fail "gateway-compat $arg is not for a plugin: it would touch files instead of printing manifests" ;;
  esac
  fix_args+=("$arg")
done

helm "${helm_args[@]}" | gateway-compat "${fix_args[@]}"
