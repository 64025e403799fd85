using System.Diagnostics.CodeAnalysis;

// The folder (and so the namespace) is named after innernet's "interface" module by the project layout;
// only Visual Basic reserves the word, and nothing here is meant for VB callers.
[assembly: SuppressMessage("Naming", "CA1716:Identifiers should not match keywords",
    Justification = "Namespace mirrors innernet's interface module; VB-only keyword.",
    Scope = "namespace", Target = "~N:Innernet.Core.Interface")]
