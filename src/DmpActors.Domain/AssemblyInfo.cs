namespace DmpActors.Domain;
