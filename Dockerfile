# One DmpActors node, with dmpctl beside it (the Kubernetes preStop hook runs `dmpctl cluster leave`).
# Build context: the repository root.   docker build -t dmpactors:local .

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Project files first, so the restore layer is reused until a dependency changes.
COPY Directory.Build.props Directory.Packages.props ./
COPY src/DmpActors.Domain/DmpActors.Domain.csproj src/DmpActors.Domain/
COPY src/DmpActors.Kafka/DmpActors.Kafka.csproj src/DmpActors.Kafka/
COPY src/DmpActors.Ml/DmpActors.Ml.csproj src/DmpActors.Ml/
COPY src/DmpActors.Engine/DmpActors.Engine.csproj src/DmpActors.Engine/
COPY src/DmpActors.Traffic/DmpActors.Traffic.csproj src/DmpActors.Traffic/
COPY src/DmpActors.Host/DmpActors.Host.csproj src/DmpActors.Host/
COPY src/DmpActors.Cli/DmpActors.Cli.csproj src/DmpActors.Cli/
RUN dotnet restore src/DmpActors.Host/DmpActors.Host.csproj \
 && dotnet restore src/DmpActors.Cli/DmpActors.Cli.csproj
COPY src/ src/
COPY config/ config/
RUN dotnet publish src/DmpActors.Host/DmpActors.Host.csproj -c Release --no-restore -o /out/host \
 && dotnet publish src/DmpActors.Cli/DmpActors.Cli.csproj -c Release --no-restore -o /out/dmpctl

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# curl: the compose healthchecks call /readyz from inside the container.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /out/host ./
COPY --from=build /out/dmpctl /opt/dmpctl/
# data/ holds the SQLite store when a profile uses it; the node runs as the image's non-root user.
RUN mkdir -p /app/data && chown "$APP_UID" /app/data
ENV PATH="/opt/dmpctl:${PATH}" \
    DMP_PROFILE=docker
USER $APP_UID
EXPOSE 8080 8081 4053
ENTRYPOINT ["dotnet", "DmpActors.Host.dll"]
