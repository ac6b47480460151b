{{/* The non-secret environment of a service: NTB_<SERVICE>_* */}}
{{- define "ntb-lib.configData" -}}
{{- $p := .svc.envPrefix -}}
{{- $v := .root.Values -}}
{{ $p }}SERVICE_NAME: {{ .svc.serviceName | default .name | quote }}
{{ $p }}GRPC_HOST: "0.0.0.0"
{{ $p }}GRPC_PORT: "50051"
{{ $p }}METRICS_PORT: "9464"
{{ $p }}DATABASE_SCHEMA: {{ .svc.schema | quote }}
{{ $p }}EVENT_BUS: "kafka"
{{ $p }}KAFKA_BOOTSTRAP: {{ include "ntb-lib.kafkaBootstrap" .root | quote }}
{{ $p }}IDENTITY_TARGET: {{ printf "%s-identity:50051" .root.Release.Name | quote }}
{{- range $peer := .svc.calls }}
{{- if ne $peer "identity" }}
{{ $p }}{{ $peer | replace "-" "_" | upper }}_TARGET: {{ printf "%s-%s:50051" $.root.Release.Name $peer | quote }}
{{- end }}
{{- end }}
{{ $p }}LOG_LEVEL: {{ $v.config.logLevel | quote }}
{{ $p }}LOG_FORMAT: "json"
{{ $p }}DRAIN_DELAY_S: {{ $v.config.drainDelaySeconds | quote }}
{{ $p }}SHUTDOWN_GRACE_S: {{ $v.config.shutdownGraceSeconds | quote }}
{{ $p }}AUTH_REQUIRED: {{ $v.config.authRequired | quote }}
{{- with $v.config.otlpEndpoint }}
{{ $p }}OTLP_ENDPOINT: {{ . | quote }}
{{- end }}
{{- range $key, $value := .svc.env }}
{{ $p }}{{ $key }}: {{ $value | quote }}
{{- end }}
{{- end -}}

{{- define "ntb-lib.kafkaBootstrap" -}}
{{- if .Values.kafka.enabled -}}
{{- printf "%s-kafka:9092" .Release.Name -}}
{{- else -}}
{{- required "kafka.external.bootstrap is required when kafka.enabled is false" .Values.kafka.external.bootstrap -}}
{{- end -}}
{{- end -}}

{{- define "ntb-lib.databaseSecretName" -}}
{{- if and (not .Values.postgresql.enabled) .Values.postgresql.external.existingSecret -}}
{{- .Values.postgresql.external.existingSecret -}}
{{- else -}}
{{- printf "%s-database" .Release.Name -}}
{{- end -}}
{{- end -}}

{{/* Environment that comes from Secrets (database URL; identity's keys). */}}
{{- define "ntb-lib.databaseEnv" -}}
- name: {{ .svc.envPrefix }}DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "ntb-lib.databaseSecretName" .root }}
      key: url
{{- end -}}

{{- define "ntb-lib.secretEnv" -}}
{{ include "ntb-lib.databaseEnv" . }}
{{- if eq .name "identity" }}
- name: NTB_IDENTITY_KEY_ENCRYPTION_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .root.Values.identity.existingSecret | default (printf "%s-identity" .root.Release.Name) }}
      key: key-encryption-key
- name: NTB_IDENTITY_BOOTSTRAP_CLIENT_ID
  value: {{ .root.Values.identity.bootstrapClientId | quote }}
- name: NTB_IDENTITY_BOOTSTRAP_CLIENT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ .root.Values.identity.existingSecret | default (printf "%s-identity" .root.Release.Name) }}
      key: bootstrap-client-secret
- name: NTB_IDENTITY_SERVICE_CLIENTS
  valueFrom:
    secretKeyRef:
      name: {{ printf "%s-service-clients" .root.Release.Name }}
      key: clients.json
{{- else }}
- name: {{ .svc.envPrefix }}SERVICE_CLIENT_ID
  value: {{ printf "svc-%s" .name | quote }}
- name: {{ .svc.envPrefix }}SERVICE_CLIENT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ printf "%s-service-clients" .root.Release.Name }}
      key: {{ printf "svc-%s" .name }}
{{- end }}
{{- end -}}
