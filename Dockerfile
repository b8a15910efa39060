# Build and run one DmpActors node. Used by docker-compose.yml; build context is the repository root.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/DmpActors.Host/DmpActors.Host.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
ENV DMP_PROFILE=docker
EXPOSE 8080 4053
ENTRYPOINT ["dotnet", "DmpActors.Host.dll"]
