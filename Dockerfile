# verdant in a container: a static binary (pure Go, no cgo) on a scratch-like
# base, running as a non-root user, with its data in a volume.
#
#   docker build -t verdant .
#   docker run -p 8080:8080 -v verdant-data:/data \
#     -e VERDANT_ADMIN_TOKEN_FILE=/run/secrets/admin.token -e VERDANT_DATA_KEY_FILE=/run/secrets/data.key verdant
#
# The build is the README's own command (go build ./cmd/verdant) with
# CGO_ENABLED=0; docs/running.md describes the settings.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=""
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/verdant ./cmd/verdant \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/verdant /usr/local/bin/verdant
COPY --from=build --chown=65532:65532 /out/data /data
COPY LICENSE NOTICE /usr/share/doc/verdant/
USER 65532:65532
VOLUME /data
ENV VERDANT_DATA_DIR=/data VERDANT_ADDR=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/verdant"]
CMD ["serve"]
