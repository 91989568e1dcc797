# One image with both binaries: `worker`, and `starter` (the CLI and, with
# `serve`, the Slack gateway). Built by docker-compose.yml.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/worker ./worker \
 && CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/starter ./starter \
 && mkdir -p /out/postmortems

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/worker /out/starter /usr/local/bin/
# The worker writes postmortem drafts here; a volume mounted on it starts with
# this ownership, so the nonroot user can write.
COPY --from=build --chown=65532:65532 /out/postmortems /var/lib/incident-buddy/postmortems
USER nonroot
ENTRYPOINT ["/usr/local/bin/worker"]
