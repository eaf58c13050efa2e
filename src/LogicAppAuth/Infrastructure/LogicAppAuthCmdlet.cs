using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Operations;

namespace LogicAppAuth.Commands.Infrastructure
{
    /// <summary>
    /// Base of every cmdlet: runs engine work on the thread pool, streams what it reports to the pipeline,
    /// cancels it on Ctrl+C (StopProcessing), and turns failures into ErrorRecords.
    /// </summary>
    public abstract class LogicAppAuthCmdlet : PSCmdlet, IDisposable
    {
        /// <summary>Failures that no later input can avoid: they stop the whole call instead of repeating per item.</summary>
        private static readonly HashSet<string> SessionWideFailures = new HashSet<string>(StringComparer.Ordinal)
        {
            "NoCredentialAvailable", "AuthenticationFailed", "ExpiredAuthenticationToken", "InvalidAuthenticationToken", "TlsValidationFailed", "DeviceCodeSignInRequired",
        };

        private readonly CancellationTokenSource cancellation = new CancellationTokenSource();

        protected CancellationToken CancellationToken => cancellation.Token;

        protected override void StopProcessing() => cancellation.Cancel();

        public void Dispose()
        {
            cancellation.Dispose();
            GC.SuppressFinalize(this);
        }

        /// <summary>Runs one engine operation for one input item; its failure is reported against <paramref name="target"/> and the pipeline goes on.</summary>
        protected void Run(string target, Func<IOperationSink, CancellationToken, Task> operation)
        {
            using var sink = new PipelineSink();
            var work = Task.Run(() => operation(sink, cancellation.Token), cancellation.Token);
            work.ContinueWith(_ => sink.Complete(), TaskScheduler.Default);
            try
            {
                foreach (var write in sink.Drain(cancellation.Token))
                {
                    write(this);
                }
            }
            catch (OperationCanceledException)
            {
                throw new PipelineStoppedException();
            }
            finally
            {
                // Leaving early (Ctrl+C, a terminating error, a stopped pipeline): cancel the work and give it a moment
                // to observe that, so that nothing keeps running behind the prompt.
                if (!work.IsCompleted)
                {
                    cancellation.Cancel();
                    work.ContinueWith(_ => { }, TaskScheduler.Default).Wait(TimeSpan.FromSeconds(2));
                }
            }

            try
            {
                work.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            catch (Exception e)
            {
                WriteEngineError(ExceptionTranslator.Translate(e, target));
            }
        }

        internal void WriteEngineError(LogicAppAuthException error)
        {
            var record = ErrorRecordFactory.Create(error);
            if (SessionWideFailures.Contains(error.ErrorId))
            {
                ThrowTerminatingError(record);
            }

            WriteError(record);
        }
    }
}
