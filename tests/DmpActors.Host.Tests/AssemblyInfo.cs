namespace DmpActors.Host.Tests;
