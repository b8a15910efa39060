namespace DmpActors.Domain.Tests;
