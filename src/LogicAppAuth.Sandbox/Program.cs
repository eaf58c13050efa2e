namespace LogicAppAuth.Sandbox; public static class Program { public static void Main() {} }
