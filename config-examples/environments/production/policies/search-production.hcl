# search in production: its own secrets, and TLS certificates for its service name.
path "secret/data/search/production/*" {
  capabilities = ["read"]
}

path "secret/metadata/search/production/*" {
  capabilities = ["list"]
}

path "pki/issue/internal-services" {
  capabilities = ["update"]
  allowed_parameters = {
    "common_name" = ["search.production.svc.cluster.local"]
    "ttl"         = []
  }
}
