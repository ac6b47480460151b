{{- define "ntb.infraLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/part-of: ntb
app.kubernetes.io/component: infrastructure
ntb.io/part: body
{{- end -}}

{{/* In-chart PostgreSQL and Kafka are created once, at install, before the migration
     and topics hooks that need them (hook weight -20); upgrades leave them alone and
     uninstall keeps them (delete them with -l app.kubernetes.io/component=infrastructure). */}}
{{- define "ntb.infraHook" -}}
helm.sh/hook: pre-install
helm.sh/hook-weight: "-20"
{{- end -}}
