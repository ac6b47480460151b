{{/* Exactly the calls of the design: gRPC in from the workloads whose `calls` name this
     one (and from API clients), gRPC out only to the workloads this one calls;
     PostgreSQL, Kafka, DNS and (if set) the OTLP collector. Everything else is denied. */}}
{{- define "ntb-lib.networkPolicy" -}}
{{- $root := .root -}}
{{- $v := .root.Values -}}
{{- $self := .name -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "ntb-lib.fullname" . }}
  labels:
    {{- include "ntb-lib.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "ntb-lib.selectorLabels" . | nindent 6 }}
  policyTypes: [Ingress, Egress]
  ingress:
    - ports:
        - {port: 50051, protocol: TCP}
      from:
        - podSelector:
            matchLabels: {ntb.io/api-client: "true"}
        {{- range $v.networkPolicy.apiClientNamespaceSelectors }}
        - namespaceSelector:
            {{- toYaml . | nindent 12 }}
        {{- end }}
        {{- range $caller, $svc := $v.services }}
        {{- if and $svc.enabled (has $self $svc.calls) }}
        - podSelector:
            matchLabels:
              {{- include "ntb-lib.selectorLabels" (dict "root" $root "name" $caller) | nindent 14 }}
        {{- end }}
        {{- end }}
    {{- if $v.networkPolicy.metricsNamespaceSelectors }}
    - ports:
        - {port: 9464, protocol: TCP}
      from:
        {{- range $v.networkPolicy.metricsNamespaceSelectors }}
        - namespaceSelector:
            {{- toYaml . | nindent 12 }}
        {{- end }}
    {{- end }}
  egress:
    - ports:
        - {port: 53, protocol: UDP}
        - {port: 53, protocol: TCP}
    {{- range $callee := .svc.calls }}
    - ports:
        - {port: 50051, protocol: TCP}
      to:
        - podSelector:
            matchLabels:
              {{- include "ntb-lib.selectorLabels" (dict "root" $root "name" $callee) | nindent 14 }}
    {{- end }}
    {{- include "ntb-lib.infraEgress" $root | trim | nindent 4 }}
    {{- if $v.config.otlpEndpoint }}
    - ports:
        - {port: {{ $v.networkPolicy.otlpEgress.port }}, protocol: TCP}
      to:
        - namespaceSelector:
            {{- toYaml $v.networkPolicy.otlpEgress.namespaceSelector | nindent 12 }}
    {{- end }}
{{- end -}}

{{/* Egress to PostgreSQL and Kafka: their pods when in-chart, their ports when external. */}}
{{- define "ntb-lib.infraEgress" -}}
{{- if .Values.postgresql.enabled }}
- ports:
    - {port: 5432, protocol: TCP}
  to:
    - podSelector:
        matchLabels: {app.kubernetes.io/name: postgresql, app.kubernetes.io/instance: {{ .Release.Name }}}
{{- else }}
- ports:
    - {port: {{ .Values.postgresql.external.port | default 5432 }}, protocol: TCP}
{{- end }}
{{- if .Values.kafka.enabled }}
- ports:
    - {port: 9092, protocol: TCP}
  to:
    - podSelector:
        matchLabels: {app.kubernetes.io/name: kafka, app.kubernetes.io/instance: {{ .Release.Name }}}
{{- else }}
- ports:
    - {port: {{ .Values.kafka.external.port | default 9092 }}, protocol: TCP}
{{- end }}
{{- end -}}
