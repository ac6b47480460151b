{{/* The schema migration of one service: a pre-install/pre-upgrade hook Job, so no pod
     of the new release serves before its schema is at head. */}}
{{- define "ntb-lib.migrationJob" -}}
{{- $v := .root.Values -}}
{{- $job := dict "root" .root "name" (printf "%s-migrate" .name) "svc" .svc -}}
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ include "ntb-lib.fullname" . }}-migrate
  labels:
    {{- include "ntb-lib.labels" $job | nindent 4 }}
    app.kubernetes.io/component: migration
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-weight: "0"
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  backoffLimit: 6
  activeDeadlineSeconds: 900
  template:
    metadata:
      labels:
        {{- include "ntb-lib.labels" $job | nindent 8 }}
        app.kubernetes.io/component: migration
    spec:
      restartPolicy: Never
      automountServiceAccountToken: false
      enableServiceLinks: false
      securityContext:
        {{- include "ntb-lib.podSecurityContext" . | nindent 8 }}
      {{- if $v.postgresql.enabled }}
      initContainers:
        - name: wait-for-postgresql
          image: {{ $v.tools.waitImage }}
          command: ["sh", "-c", "until nc -z -w 2 {{ .root.Release.Name }}-postgresql 5432; do sleep 2; done"]
          resources:
            requests: {cpu: 10m, memory: 16Mi}
            limits: {cpu: 100m, memory: 32Mi}
          securityContext:
            {{- include "ntb-lib.containerSecurityContext" . | nindent 12 }}
      {{- end }}
      containers:
        - name: migrate
          image: {{ include "ntb-lib.image" . }}
          imagePullPolicy: {{ $v.image.pullPolicy }}
          args: ["migrate"]
          env:
            {{- range $line := splitList "\n" (include "ntb-lib.configData" .) }}
            {{- if $line }}
            {{- $kv := splitn ": " 2 $line }}
            - name: {{ $kv._0 }}
              value: {{ $kv._1 }}
            {{- end }}
            {{- end }}
            {{- include "ntb-lib.databaseEnv" . | nindent 12 }}
          resources:
            requests: {cpu: 50m, memory: 128Mi}
            limits: {cpu: 500m, memory: 384Mi}
          securityContext:
            {{- include "ntb-lib.containerSecurityContext" . | nindent 12 }}
          volumeMounts:
            - {name: tmp, mountPath: /tmp}
      volumes:
        - name: tmp
          emptyDir: {sizeLimit: 16Mi}
{{- end -}}

{{/* `helm test`: one Pod per workload asks its grpc.health.v1 for SERVING. */}}
{{- define "ntb-lib.healthTest" -}}
{{- $test := dict "root" .root "name" (printf "%s-test" .name) "svc" .svc -}}
apiVersion: v1
kind: Pod
metadata:
  name: {{ include "ntb-lib.fullname" . }}-test-health
  labels:
    {{- include "ntb-lib.labels" $test | nindent 4 }}
    app.kubernetes.io/component: test
    ntb.io/api-client: "true"
  annotations:
    helm.sh/hook: test
    helm.sh/hook-delete-policy: before-hook-creation
spec:
  restartPolicy: Never
  automountServiceAccountToken: false
  enableServiceLinks: false
  securityContext:
    {{- include "ntb-lib.podSecurityContext" . | nindent 4 }}
  containers:
    - name: health
      image: {{ include "ntb-lib.image" . }}
      imagePullPolicy: {{ .root.Values.image.pullPolicy }}
      command: ["python", "-m", "ntbkit.healthcheck", "{{ include "ntb-lib.fullname" . }}:50051"]
      resources:
        requests: {cpu: 10m, memory: 64Mi}
        limits: {cpu: 200m, memory: 128Mi}
      securityContext:
        {{- include "ntb-lib.containerSecurityContext" . | nindent 8 }}
{{- end -}}
