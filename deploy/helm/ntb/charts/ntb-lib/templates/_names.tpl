{{/* Names and labels every NTB object shares. A "workload context" is a dict:
     {root: $, name: <workload>, svc: <its values>} */}}

{{- define "ntb-lib.fullname" -}}
{{- printf "%s-%s" .root.Release.Name .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "ntb-lib.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "ntb-lib.labels" -}}
{{ include "ntb-lib.selectorLabels" . }}
app.kubernetes.io/part-of: ntb
app.kubernetes.io/version: {{ .root.Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
ntb.io/part: {{ .svc.part }}
{{- end -}}

{{- define "ntb-lib.image" -}}
{{- $registry := .root.Values.image.registry -}}
{{- if $registry -}}
{{- printf "%s/%s:%s" $registry .svc.image .root.Values.image.tag -}}
{{- else -}}
{{- printf "%s:%s" .svc.image .root.Values.image.tag -}}
{{- end -}}
{{- end -}}

{{/* Hardened security contexts (runAsNonRoot, read-only root, no capabilities). */}}
{{- define "ntb-lib.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "ntb-lib.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
{{- end -}}
